namespace Appliance.Hal.Lcd;

/// <summary>One CFA-635 packet: type byte (type bits | command) and 0..22 data bytes.</summary>
public readonly record struct Cfa635Packet
{
    /// <summary>Creates a packet; data longer than 22 bytes is refused.</summary>
    public Cfa635Packet(byte type, ReadOnlyMemory<byte> data)
    {
        if (data.Length > Cfa635Protocol.MaxData)
            throw new ArgumentException($"CFA-635 packet 0x{type:X2} carries {data.Length} data bytes; the limit is {Cfa635Protocol.MaxData}", nameof(data));
        Type = type;
        Data = data;
    }

    /// <summary>Type bits (7-6) and command (5-0).</summary>
    public byte Type { get; }
    /// <summary>Payload.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The command number (bits 5-0).</summary>
    public byte Code => (byte)(Type & 0x3F);
    /// <summary>The type bits (0x00, 0x40, 0x80, 0xC0).</summary>
    public byte Kind => (byte)(Type & 0xC0);

    /// <summary>A host-to-display command.</summary>
    public static Cfa635Packet Command(Cfa635Command command, ReadOnlySpan<byte> data = default) =>
        new((byte)command, data.ToArray());

    /// <summary>Bytes on the wire: type, length, data, CRC low byte first.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[Data.Length + 4];
        bytes[0] = Type;
        bytes[1] = (byte)Data.Length;
        Data.Span.CopyTo(bytes.AsSpan(2));
        var crc = Crc16X25.Compute(bytes.AsSpan(0, Data.Length + 2));
        bytes[^2] = (byte)crc;
        bytes[^1] = (byte)(crc >> 8);
        return bytes;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Type:X2} [{Convert.ToHexString(Data.Span)}]";

    /// <summary>Human name of a command code for error messages.</summary>
    public static string NameOf(byte code) =>
        Enum.IsDefined(typeof(Cfa635Command), code) ? $"{(Cfa635Command)code} ({code})" : $"command {code}";
}
