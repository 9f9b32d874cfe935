using System.Text;
using Appliance.Hal.Lcd;

namespace Appliance.Tests.Lcd;

public class Cfa635CodecTests
{
    [Fact]
    public void Crc_matches_the_known_check_values()
    {
        Assert.Equal(0x906E, Crc16X25.Compute("123456789"u8));
        Assert.Equal("00 00 47 0F", Hex(Cfa635Packet.Command(Cfa635Command.Ping).Encode()));
        Assert.Equal("06 00 97 5B", Hex(Cfa635Packet.Command(Cfa635Command.Clear).Encode()));
    }

    [Fact]
    public async Task Packets_round_trip_through_the_reader()
    {
        var packets = new[]
        {
            Cfa635Packet.Command(Cfa635Command.Ping, "echo me"u8),
            new Cfa635Packet(0x5F, Encoding.ASCII.GetBytes("\0\x02hello world 0123456")),
            new Cfa635Packet(Cfa635Protocol.KeyReport, new byte[] { 5 }),
            new Cfa635Packet(0xC6, ReadOnlyMemory<byte>.Empty),
        };
        using var stream = new MemoryStream(packets.SelectMany(p => p.Encode()).ToArray());
        var reader = new Cfa635PacketReader(stream);
        using var cts = new CancellationTokenSource(Wait.Long);
        foreach (var expected in packets)
        {
            var actual = await reader.ReadAsync(cts.Token);
            Assert.NotNull(actual);
            Assert.Equal(expected.Type, actual.Value.Type);
            Assert.Equal(expected.Data.ToArray(), actual.Value.Data.ToArray());
        }
        Assert.Null(await reader.ReadAsync(cts.Token));
        Assert.Equal(0, reader.CorruptPackets);
    }

    [Fact]
    public async Task Reader_skips_noise_and_bad_crc_and_resynchronises()
    {
        var good1 = Cfa635Packet.Command(Cfa635Command.Ping, "one"u8).Encode();
        var bad = Cfa635Packet.Command(Cfa635Command.Ping, "bad"u8).Encode();
        bad[^1] ^= 0xFF;
        var good2 = Cfa635Packet.Command(Cfa635Command.Ping, "two"u8).Encode();
        byte[] noise = [0xFF, 0x42, 0x17, 0x00];
        using var stream = new MemoryStream([.. noise, .. good1, .. bad, .. good2]);
        var reader = new Cfa635PacketReader(stream);
        using var cts = new CancellationTokenSource(Wait.Long);
        Assert.Equal("one", Encoding.ASCII.GetString((await reader.ReadAsync(cts.Token))!.Value.Data.Span));
        Assert.Equal("two", Encoding.ASCII.GetString((await reader.ReadAsync(cts.Token))!.Value.Data.Span));
        Assert.Null(await reader.ReadAsync(cts.Token));
        Assert.True(reader.CorruptPackets > 0);
    }

    [Fact]
    public async Task Corrupted_crc_that_looks_like_a_long_header_does_not_stall_the_next_packet()
    {
        // Regression: a response "5F 00 <crc>" with a damaged CRC left "00 <crc-low> ..." parsed as
        // a header claiming up to 22 more bytes, and the reader waited for them while the next,
        // valid, response sat in its buffer.
        var bad = new Cfa635Packet(0x5F, ReadOnlyMemory<byte>.Empty).Encode();
        bad[^1] ^= 0x5A;
        bad[^2] = 0x10;
        var good = new Cfa635Packet(0x5F, ReadOnlyMemory<byte>.Empty).Encode();
        var pipe = new System.IO.Pipelines.Pipe();
        await pipe.Writer.WriteAsync(bad.Concat(good).ToArray());
        var reader = new Cfa635PacketReader(pipe.Reader.AsStream());
        using var cts = new CancellationTokenSource(Wait.Long);
        var packet = await reader.ReadAsync(cts.Token);
        Assert.Equal(0x5F, packet!.Value.Type);
        Assert.True(reader.CorruptPackets > 0);
    }

    [Fact]
    public void Packet_refuses_more_than_22_data_bytes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Cfa635Packet(0x1F, new byte[23]));
        Assert.Contains("23 data bytes", e.Message);
    }

    [Fact]
    public void Text_is_fitted_to_20_printable_columns()
    {
        Assert.Equal("abc" + new string(' ', 17), LcdText.Fit("abc"));
        Assert.Equal("0123456789abcdefghij", LcdText.Fit("0123456789abcdefghijKLMN"));
        Assert.Equal("caf?" + new string(' ', 16), LcdText.Fit("café"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LcdText.CheckRow(4));
    }

    private static string Hex(byte[] bytes) => string.Join(' ', bytes.Select(b => b.ToString("X2")));
}
