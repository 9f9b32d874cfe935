using Appliance.Hal.Lcd;

namespace Appliance.Fuzz;

/// <summary>
/// The CFA-635 serial packet reader resynchronising over line noise. The input arrives in pieces
/// (as a serial port delivers it), sized by the first input byte. A packet it returns must be one
/// that is really in the input, CRC and all; it documents no exception at all.
/// </summary>
internal sealed class Cfa635Target : FuzzTarget
{
    public override string Name => "cfa635";

    public override string Description => "Cfa635PacketReader.ReadAsync to the end of a trickled byte stream; refusal: none";

    public override string? Run(byte[] input)
    {
        var (mode, line) = Split(input);
        using var stream = new TrickleStream(line, pieceSize: 1 + (mode & 0x3F));
        var reader = new Cfa635PacketReader(stream);
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } packet)
        {
            if (line.AsSpan().IndexOf(packet.Encode()) < 0)
                throw new InvariantException($"packet {packet} is not in the input");
        }
        return null;
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var ping = new Cfa635Packet(0x40, "hi"u8.ToArray()).Encode();
        var key = new Cfa635Packet(0x80, new byte[] { 0x05 }).Encode();
        var full = new Cfa635Packet(0x41, new byte[Cfa635Protocol.MaxData]).Encode();
        yield return ("packets", FuzzInput.WithMode(0x3F, [.. ping, .. key, .. full]));
        yield return ("noise-then-packet", FuzzInput.WithMode(2, [0xFF, 0x16, 0x00, .. key, .. ping]));
    }

    /// <summary>Hands out at most <paramref name="pieceSize"/> bytes per read, like a serial line between interrupts.</summary>
    private sealed class TrickleStream(byte[] data, int pieceSize) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, pieceSize));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, pieceSize)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, pieceSize)], ct);
    }
}
