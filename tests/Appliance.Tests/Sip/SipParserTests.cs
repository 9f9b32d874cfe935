using System.Text;
using Appliance.Sip;

namespace Appliance.Tests.Sip;

/// <summary>The parser on good messages (RFC 3261 and RFC 4475 shapes) and hostile ones (limits, broken grammar).</summary>
public sealed class SipParserTests
{
    internal const string Invite =
        "INVITE sip:meet-1234@198.18.1.11 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 198.18.0.5:5060;branch=z9hG4bK74bf9;rport\r\n" +
        "Via: SIP/2.0/TCP 198.18.9.1;branch=z9hG4bKnashds7;received=198.18.9.2\r\n" +
        "Max-Forwards: 69\r\n" +
        "From: \"Alice, the chair\" <sip:alice@198.18.9.1>;tag=9fxced76sl\r\n" +
        "To: <sip:meet-1234@198.18.1.11>\r\n" +
        "Call-ID: 3848276298220188511@198.18.9.1\r\n" +
        "CSeq: 2 INVITE\r\n" +
        "Contact: <sip:alice@198.18.9.1;transport=tcp>\r\n" +
        "Record-Route: <sip:198.18.0.5;lr>, <sip:198.18.0.6;lr>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "v=0\n";

    private static SipMessage Parse(string text, SipLimits? limits = null, bool stream = false) =>
        SipParser.Parse(Encoding.UTF8.GetBytes(text), limits, stream);

    private static void Refused(string text, string expected, SipLimits? limits = null, bool stream = false)
    {
        var e = Assert.Throws<SipParseException>(() => Parse(text, limits, stream));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invite_reads_with_its_typed_headers_and_body()
    {
        var m = Assert.IsType<SipRequest>(Parse(Invite));
        Assert.Equal("INVITE", m.Method);
        Assert.Equal("meet-1234", m.RequestUri.User);
        Assert.Equal("198.18.1.11", m.RequestUri.Host);
        Assert.Equal(2, m.Vias.Count);
        Assert.Equal("z9hG4bK74bf9", m.TopVia.Branch);
        Assert.Equal("198.18.0.5:5060", m.TopVia.SentBy);
        Assert.True(m.TopVia.Parameters.Contains("rport"));
        Assert.Equal("TCP", m.Vias[1].Transport);
        Assert.Equal("Alice, the chair", m.From.DisplayName);
        Assert.Equal("9fxced76sl", m.From.Tag);
        Assert.Null(m.To.Tag);
        Assert.Equal(new SipCSeq(2, "INVITE"), m.CSeq);
        Assert.Equal("tcp", m.Contacts[0].Uri.Parameters["transport"]);
        Assert.Equal(["sip:198.18.0.5;lr", "sip:198.18.0.6;lr"], m.RecordRoutes.Select(r => r.Uri.ToString()));
        Assert.Equal("v=0\n", Encoding.UTF8.GetString(m.Body));
    }

    [Fact]
    public void Compact_forms_folding_and_repeated_lines_read_as_the_long_forms()
    {
        var m = Parse(
            "OPTIONS sip:p1@198.18.1.11 SIP/2.0\r\n" +
            "v: SIP/2.0/UDP 198.18.0.5;branch=z9hG4bKa\r\n" +
            "v: SIP/2.0/UDP 198.18.0.6;branch=z9hG4bKb\r\n" +
            "f: <sip:k@198.18.0.5>;tag=1\r\n" +
            "t: sip:p1@198.18.1.11\r\n" +
            "i: abc@198.18.0.5\r\n" +
            "CSEQ:   7\r\n   OPTIONS\r\n" +
            "k: path,\r\n\ttimer\r\n" +
            "m: <sip:k@198.18.0.5>\r\n" +
            "l: 0\r\n\r\n");
        Assert.Equal("abc@198.18.0.5", m.CallId);
        Assert.Equal(new SipCSeq(7, "OPTIONS"), m.CSeq);
        Assert.Equal(["z9hG4bKa", "z9hG4bKb"], m.Vias.Select(v => v.Branch));
        Assert.Equal(["path", "timer"], m.Headers.GetAll("Supported"));
        Assert.Equal("1", m.From.Tag);
        Assert.Equal("p1", m.To.Uri.User);
        Assert.Single(m.Contacts);
        Assert.Contains(m.Headers.Lines, h => h.Name == "Call-ID");
    }

    [Fact]
    public void A_value_that_begins_on_a_continuation_line_reads_the_same_once_written_on_one_line()
    {
        // Found by the sip fuzz target: "Via:" then the value folded onto the next line read as " SIP/2.0/UDP ...".
        var m = Parse(Invite.Replace("Call-ID: 3848276298220188511@198.18.9.1", "Call-ID:\r\n 3848276298220188511@198.18.9.1\r\n "));
        Assert.Equal("3848276298220188511@198.18.9.1", m.CallId);
        var again = SipParser.Parse(m.ToBytes());
        Assert.Equal(m.Headers.Lines, again.Headers.Lines);
    }

    [Fact]
    public void A_response_reads_and_writes_back_the_same()
    {
        var request = Assert.IsType<SipRequest>(Parse(Invite));
        var response = SipBuild.Response(request, 200, toTag: "t0");
        var again = Assert.IsType<SipResponse>(SipParser.Parse(response.ToBytes()));
        Assert.Equal(200, again.StatusCode);
        Assert.Equal("OK", again.ReasonPhrase);
        Assert.Equal("t0", again.To.Tag);
        Assert.Equal(request.Headers.GetAll("Via"), again.Headers.GetAll("Via"));
        Assert.Equal(request.Headers.GetAll("Record-Route"), again.Headers.GetAll("Record-Route"));
        Assert.Equal(request.CallId, again.CallId);
    }

    [Fact]
    public void On_a_datagram_the_body_is_cut_at_content_length_and_runs_to_the_end_without_it()
    {
        Assert.Equal("v=0\n", Encoding.UTF8.GetString(Parse(Invite + "trailing garbage").Body));
        Assert.Equal("v=0\nmore", Encoding.UTF8.GetString(Parse(Invite.Replace("Content-Length: 4\r\n", "") + "more").Body));
    }

    [Fact]
    public void Content_length_that_lies_is_refused()
    {
        Refused(Invite.Replace("Content-Length: 4", "Content-Length: 400"), "Content-Length 400 exceeds the 4 bytes of body received");
        Refused(Invite.Replace("Content-Length: 4", "Content-Length: -1"), "Content-Length '-1' is not a number of bytes");
        Refused(Invite.Replace("Content-Length: 4", "Content-Length: 4\r\nl: 5"), "Content-Length given twice with different values (4 and 5)");
        Refused(Invite.Replace("Content-Length: 4", "Content-Length: 99999999999"), "is not a number of bytes");
        Refused(Invite.Replace("Content-Length: 4\r\n", ""), "Content-Length is required on a stream transport", stream: true);
        Refused(Invite + "x", "Content-Length 4 leaves 1 bytes unread", stream: true);
    }

    [Fact]
    public void Limits_on_size_header_count_and_line_length_hold()
    {
        Refused(Invite, "message of", new SipLimits { MaxMessageBytes = 100 });
        Refused(Invite, "more than 5 header fields", new SipLimits { MaxHeaders = 5 });
        Refused(Invite, "exceeds the line limit of 40", new SipLimits { MaxLineBytes = 40 });
        // Folding cannot get around the line limit.
        var folded = Invite.Replace("Call-ID: 3848276298220188511@198.18.9.1", "Call-ID: 3848276298220188511\r\n @" + new string('x', 70));
        Refused(folded, "with its continuation lines exceeds the line limit of 80", new SipLimits { MaxLineBytes = 80 });
        var many = Invite.Replace("Max-Forwards: 69\r\n", string.Concat(Enumerable.Repeat("X-Junk: 1\r\n", 200)));
        Refused(many, "more than 128 header fields");
    }

    [Theory]
    [InlineData("", "empty message")]
    [InlineData("\r\n\r\n", "empty message")]
    [InlineData("INVITE sip:a@b SIP/2.0", "start line is not terminated by CRLF")]
    [InlineData("INVITE sip:a@b SIP/3.0\r\n\r\n", "version 'SIP/3.0' is not SIP/2.0")]
    [InlineData("INVITE mailto:a@b SIP/2.0\r\n\r\n", "scheme 'mailto' is not sip or sips")]
    [InlineData("INV@TE sip:a@b SIP/2.0\r\n\r\n", "method 'INV@TE' is not a token")]
    [InlineData("SIP/2.0 20 OK\r\n\r\n", "the status code must be three digits 100-699")]
    [InlineData("SIP/2.0 700 Odd\r\n\r\n", "the status code must be three digits 100-699")]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nVia SIP/2.0/UDP x\r\n\r\n", "has no ':'")]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\n Via: x\r\n\r\n", "a continuation line comes before any header")]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nV(a: x\r\n\r\n", "header name 'V(a' is not a token")]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n", "headers are not terminated by an empty line")]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\0\r\n\r\n", "has the control character 0x00")]
    [InlineData("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n", "the mandatory Via header is missing")]
    public void Broken_messages_are_refused_with_what_is_wrong(string text, string expected) => Refused(text, expected);

    [Theory]
    [InlineData("Via: SIP/2.0/UDP 198.18.0.5:5060;branch=z9hG4bK74bf9;rport", "Via: SIP/2.0 198.18.0.5", "expected SIP/2.0/TRANSPORT host")]
    [InlineData("Via: SIP/2.0/UDP 198.18.0.5:5060;branch=z9hG4bK74bf9;rport", "Via: SIP/2.0/UDP 198.18.0.5:99999;branch=z", "port '99999' is not 1-65535")]
    [InlineData("CSeq: 2 INVITE", "CSeq: 2 BYE", "CSeq method BYE is not the request's method INVITE")]
    [InlineData("CSeq: 2 INVITE", "CSeq: 2147483648 INVITE", "is not a number below 2^31")]
    [InlineData("CSeq: 2 INVITE", "CSeq: 2 INVITE\r\nCSeq: 3 INVITE", "the CSeq header is given more than once")]
    [InlineData("Max-Forwards: 69", "Max-Forwards: 300", "Max-Forwards '300' is not a number 0-255")]
    [InlineData("Call-ID: 3848276298220188511@198.18.9.1", "Call-ID: ", "Call-ID is empty")]
    [InlineData("To: <sip:meet-1234@198.18.1.11>", "To: <sip:meet-1234@198.18.1.11", "has '<' without '>'")]
    [InlineData("Contact: <sip:alice@198.18.9.1;transport=tcp>", "Contact: \"unterminated <sip:x@y>", "unterminated quoted string")]
    public void Broken_headers_are_refused_naming_the_header(string from, string to, string expected) => Refused(Invite.Replace(from, to), expected);

    [Fact]
    public void Invalid_utf8_in_a_header_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite).ToList();
        bytes.InsertRange(Invite.IndexOf("Alice", StringComparison.Ordinal), new byte[] { 0xC3, 0x28 });
        var e = Assert.Throws<SipParseException>(() => SipParser.Parse(bytes.ToArray()));
        Assert.Contains("is not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Leading_line_ends_are_skipped_and_alone_are_a_keepalive()
    {
        Assert.True(SipParser.IsKeepAlive("\r\n\r\n"u8));
        Assert.False(SipParser.IsKeepAlive(Encoding.UTF8.GetBytes(Invite)));
        Assert.IsType<SipRequest>(Parse("\r\n" + Invite));
    }
}
