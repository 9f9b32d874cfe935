using System.Text;
using Appliance.Daemon.Bridges.XmlRpc;

namespace Appliance.Tests.Bridges;

/// <summary>The XML-RPC reader and writer: every type round trips; anything else is refused whole, by name.</summary>
public class XmlRpcCodecTests
{
    private static object Reply(string valueXml, XmlRpcLimits? limits = null) =>
        XmlRpcReader.ReadResponse(Encoding.UTF8.GetBytes($"<?xml version=\"1.0\"?><methodResponse><params><param><value>{valueXml}</value></param></params></methodResponse>"), limits);

    private static string Refusal(string document, XmlRpcLimits? limits = null) =>
        Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadResponse(Encoding.UTF8.GetBytes(document), limits)).Message;

    [Fact]
    public void EveryType_RoundTrips_ThroughWriterAndReader()
    {
        var time = new DateTime(2026, 12, 6, 10, 11, 12, DateTimeKind.Utc);
        var value = new XmlRpcStruct
        {
            ["int"] = -42, ["yes"] = true, ["no"] = false, ["text"] = "a < b & \"c\"\r\nline", ["empty"] = "", ["double"] = 0.25,
            ["time"] = time, ["bytes"] = new byte[] { 0, 255, 7 },
            ["list"] = new object[] { 1, "two", new XmlRpcStruct(), Array.Empty<object>() },
        };
        var read = Assert.IsType<XmlRpcStruct>(XmlRpcReader.ReadResponse(XmlRpcWriter.Response(value)));

        Assert.Equal(-42, read.Int("int"));
        Assert.True(read.Bool("yes"));
        Assert.False(read.Bool("no"));
        Assert.Equal("a < b & \"c\"\r\nline", read.String("text"));
        Assert.Equal("", read.String("empty"));
        Assert.Equal(0.25, read["double"]);
        Assert.Equal(time, read.Time("time"));
        Assert.Equal(DateTimeKind.Utc, read.Time("time").Kind);
        Assert.Equal(new byte[] { 0, 255, 7 }, Assert.IsType<byte[]>(read["bytes"]));
        var list = read.Array("list");
        Assert.Equal(1, list[0]);
        Assert.Equal("two", list[1]);
        Assert.Empty(Assert.IsType<XmlRpcStruct>(list[2]));
        Assert.Empty(Assert.IsType<object[]>(list[3]));
    }

    [Fact]
    public void UntypedValue_IsAString_I4IsAnInt_AndFamilyTimesParse()
    {
        Assert.Equal("plain text", Reply("plain text"));
        Assert.Equal(7, Reply("<i4> 7 </i4>"));
        Assert.Equal(new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc), Reply("<dateTime.iso8601>20261206T10:00:00</dateTime.iso8601>"));
    }

    [Fact]
    public void Call_RoundTrips_WithMethodAndStructParameter()
    {
        var call = XmlRpcReader.ReadCall(XmlRpcWriter.Call("conference.create", new XmlRpcStruct { ["conferenceName"] = "weekly" }));
        Assert.Equal("conference.create", call.Method);
        Assert.Equal("weekly", Assert.IsType<XmlRpcStruct>(Assert.Single(call.Parameters)).String("conferenceName"));
        Assert.Empty(XmlRpcReader.ReadCall(XmlRpcWriter.Call("system.info")).Parameters);
    }

    [Fact]
    public void Fault_BecomesAFaultException_WithCodeAndText()
    {
        var fault = Assert.Throws<XmlRpcFaultException>(() => XmlRpcReader.ReadResponse(XmlRpcWriter.Fault(34, "authorization failed")));
        Assert.Equal(34, fault.Code);
        Assert.Equal("authorization failed", fault.Text);
    }

    [Theory]
    [InlineData("<methodResponse><params><param><value><int>1</int></value></param></params>", "not well-formed")]
    [InlineData("<methodCall><methodName>x</methodName></methodCall>", "expected <methodResponse>")]
    [InlineData("<methodResponse><params></params></methodResponse>", "expected <param> in <params>")]
    [InlineData("<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>", "<int> 'x' is not a 32-bit integer")]
    [InlineData("<methodResponse><params><param><value><int>99999999999</int></value></param></params></methodResponse>", "not a 32-bit integer")]
    [InlineData("<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>", "is neither 0 nor 1")]
    [InlineData("<methodResponse><params><param><value><double>NaN</double></value></param></params></methodResponse>", "not a finite number")]
    [InlineData("<methodResponse><params><param><value><base64>!!</base64></value></param></params></methodResponse>", "is not base64")]
    [InlineData("<methodResponse><params><param><value><nil/></value></param></params></methodResponse>", "<nil> is not an XML-RPC type")]
    [InlineData("<methodResponse><params><param><value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value></param></params></methodResponse>", "member 'a' appears twice")]
    [InlineData("<methodResponse><params><param><value>x<int>1</int></value></param></params></methodResponse>", "either text or one typed element")]
    [InlineData("<methodResponse><params><param><value><int>1</int></value></param></params></methodResponse><extra/>", "not well-formed")]
    [InlineData("<methodResponse><fault><value><struct></struct></value></fault></methodResponse>", "member 'faultCode' is missing")]
    public void Malformed_IsRefused_SayingWhat(string document, string expected) =>
        Assert.Contains(expected, Refusal(document), StringComparison.Ordinal);

    [Fact]
    public void Dtd_AndEntities_AreRefused_NeverExpanded()
    {
        var billion = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
            + "<methodResponse><params><param><value>&b;</value></param></params></methodResponse>";
        Assert.Contains("DTD", Refusal(billion), StringComparison.Ordinal);
        var external = "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"file:///etc/passwd\"><methodResponse/>";
        Assert.Contains("DTD", Refusal(external), StringComparison.Ordinal);
    }

    [Fact]
    public void Oversize_IsRefused_BeforeParsing()
    {
        var limits = new XmlRpcLimits { MaxBytes = 1000 };
        var big = $"<methodResponse><params><param><value>{new string('x', 2000)}</value></param></params></methodResponse>";
        Assert.Contains("more than the limit of 1000", Refusal(big, limits), StringComparison.Ordinal);
    }

    [Fact]
    public void DeepNesting_IsRefused_AtTheDepthLimit_NotByTheStack()
    {
        var limits = new XmlRpcLimits { MaxDepth = 16 };
        string Nested(int depth) => string.Concat(Enumerable.Repeat("<array><data><value>", depth)) + "1" + string.Concat(Enumerable.Repeat("</value></data></array>", depth));
        Assert.IsType<object[]>(Reply(Nested(16), limits));
        Assert.Contains("nested more than 16 deep", Assert.Throws<XmlRpcFormatException>(() => Reply(Nested(17), limits)).Message, StringComparison.Ordinal);
        // Far deeper than any stack would take: refused at the limit, the rest never read.
        Assert.Contains("nested more than", Assert.Throws<XmlRpcFormatException>(() => Reply(Nested(100_000), new XmlRpcLimits { MaxBytes = 8 << 20 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyValues_AreRefused_AtTheValueLimit()
    {
        var items = string.Concat(Enumerable.Repeat("<value><int>1</int></value>", 101));
        var e = Assert.Throws<XmlRpcFormatException>(() => Reply($"<array><data>{items}</data></array>", new XmlRpcLimits { MaxValues = 100 }));
        Assert.Contains("more than 100 values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypedGetters_NameTheMember_AndTheTypeFound()
    {
        var s = new XmlRpcStruct { ["portsMax"] = "forty" };
        Assert.Equal("member 'portsMax' is a string, not an int", Assert.Throws<XmlRpcFormatException>(() => s.Int("portsMax")).Message);
        Assert.Equal("member 'portsInUse' is missing", Assert.Throws<XmlRpcFormatException>(() => s.Int("portsInUse")).Message);
    }
}
