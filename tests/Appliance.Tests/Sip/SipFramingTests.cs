using System.Text;
using Appliance.Sip;

namespace Appliance.Tests.Sip;

/// <summary>Cutting messages out of a TCP stream by Content-Length.</summary>
public sealed class SipFramingTests
{
    private static readonly byte[] One = Encoding.UTF8.GetBytes(SipParserTests.Invite);

    [Fact]
    public void Two_messages_and_keepalives_in_one_buffer_are_cut_apart()
    {
        byte[] buffer = [.. "\r\n\r\n"u8, .. One, .. One];
        Assert.True(SipFraming.TryFrame(buffer, SipLimits.Default, out var skip, out var length));
        Assert.Equal(4, skip);
        Assert.Equal(One.Length, length);
        Assert.True(SipFraming.TryFrame(buffer.AsSpan(skip + length), SipLimits.Default, out skip, out length));
        Assert.Equal((0, One.Length), (skip, length));
    }

    [Fact]
    public void A_partial_message_waits_for_more_bytes_at_every_cut()
    {
        for (var cut = 1; cut < One.Length; cut++)
            Assert.False(SipFraming.TryFrame(One.AsSpan(0, cut), SipLimits.Default, out _, out _), $"framed at {cut} bytes");
        Assert.True(SipFraming.TryFrame(One, SipLimits.Default, out _, out var length));
        Assert.Equal(One.Length, length);
    }

    [Fact]
    public void A_stream_that_cannot_be_framed_is_refused()
    {
        var noLength = Encoding.UTF8.GetBytes(SipParserTests.Invite.Replace("Content-Length: 4\r\n", ""));
        Assert.Contains("Content-Length is required", Assert.Throws<SipParseException>(() => SipFraming.TryFrame(noLength, SipLimits.Default, out _, out _)).Message);
        var huge = Encoding.UTF8.GetBytes(SipParserTests.Invite.Replace("Content-Length: 4", "Content-Length: 1000000"));
        Assert.Contains("exceeds the limit of 65535", Assert.Throws<SipParseException>(() => SipFraming.TryFrame(huge, SipLimits.Default, out _, out _)).Message);
        var endless = new byte[70_000];
        Array.Fill(endless, (byte)'a');
        Assert.Contains("no end of headers within 65535 bytes", Assert.Throws<SipParseException>(() => SipFraming.TryFrame(endless, SipLimits.Default, out _, out _)).Message);
    }
}
