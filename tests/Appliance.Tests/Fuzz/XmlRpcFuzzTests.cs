using System.Text;
using Appliance.Daemon.Bridges.XmlRpc;

namespace Appliance.Tests.Fuzz;

/// <summary>Inputs the xmlrpc fuzz target (tools/fuzz) found to break the XML-RPC reader, replayed: each is refused cleanly.</summary>
public sealed class XmlRpcFuzzTests
{
    [Fact]
    public void BadBytesInTheXmlDeclaration_BeforeAnEncoding_AreRefused_NotAnArgumentOutOfRange()
    {
        // System.Xml switching to the declared encoding threw ArgumentOutOfRangeException from Buffer.BlockCopy.
        var input = Convert.FromHexString("3c3f786d6c2076657273696f6e3d22312e30cccccccccccccccccccccccccccccccccccccc2220656e636f64696e673d227574662d38223f3e3c6d6574686f64523e3c6d656d62003c");
        var e = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadResponse(input));
        Assert.Equal("the document is not UTF-8", e.Message);
    }

    [Fact]
    public void Utf8WithABom_AndAnotherDeclaredEncoding_AreReadAsUtf8()
    {
        var body = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><methodResponse><params><param><value><string>Zürich</string></value></param></params></methodResponse>";
        Assert.Equal("Zürich", XmlRpcReader.ReadResponse([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(body)]));
    }
}
