using System.Text;
using Appliance.Daemon.Bridges.XmlRpc;

namespace Appliance.Fuzz;

/// <summary>
/// The XML-RPC reader a peer runs on every bridge's reply (and the bridge simulator on every call).
/// Byte 0 even: a methodResponse, odd: a methodCall. Limits are small here so the fuzzer reaches
/// them. What is accepted must survive writing and reading again unchanged.
/// </summary>
internal sealed class XmlRpcTarget : FuzzTarget
{
    private static readonly XmlRpcLimits Limits = new() { MaxBytes = 64 * 1024, MaxDepth = 8, MaxValues = 2000 };

    /// <summary>Written again, a document may grow (an untyped value gains its &lt;string&gt;): only the size limit is looser.</summary>
    private static readonly XmlRpcLimits Again = Limits with { MaxBytes = 4 * 1024 * 1024 };

    public override string Name => "xmlrpc";

    public override string Description => "XmlRpcReader.ReadResponse / ReadCall (byte 0 picks), then write and read again; a fault is accepted; refusal: XmlRpcFormatException";

    public override string? Run(byte[] input)
    {
        var (mode, body) = Split(input);
        try
        {
            if (mode % 2 == 0)
            {
                var value = XmlRpcReader.ReadResponse(body, Limits);
                var written = XmlRpcWriter.Response(value);
                Same(written, XmlRpcWriter.Response(XmlRpcReader.ReadResponse(written, Again)));
            }
            else
            {
                var call = XmlRpcReader.ReadCall(body, Limits);
                var written = XmlRpcWriter.Call(call.Method, [.. call.Parameters]);
                var again = XmlRpcReader.ReadCall(written, Again);
                Same(written, XmlRpcWriter.Call(again.Method, [.. again.Parameters]));
            }
            return null;
        }
        catch (XmlRpcFormatException e)
        {
            return e.Message;
        }
        catch (XmlRpcFaultException fault)
        {
            // A fault is a valid reply: it too must survive writing and reading again.
            var written = XmlRpcWriter.Fault(fault.Code, fault.Text);
            try
            {
                XmlRpcReader.ReadResponse(written, Again);
            }
            catch (XmlRpcFaultException again) when (again.Code == fault.Code && again.Text == fault.Text)
            {
                return null;
            }
            throw new InvariantException("an accepted fault does not survive writing and reading again");
        }
    }

    private static void Same(byte[] first, byte[] second)
    {
        if (!first.AsSpan().SequenceEqual(second))
            throw new InvariantException("an accepted document does not survive writing and reading again");
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var conference = new XmlRpcStruct { ["conferenceName"] = "weekly", ["participants"] = 3, ["created"] = new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc) };
        var reply = new XmlRpcStruct
        {
            ["conferences"] = new object[] { conference, conference },
            ["enumerateID"] = "50",
            ["ok"] = true,
            ["load"] = 0.25,
            ["blob"] = new byte[] { 1, 2, 3 },
        };
        yield return ("response", [0, .. XmlRpcWriter.Response(reply)]);
        yield return ("fault", [0, .. XmlRpcWriter.Fault(34, "authorization failed")]);
        yield return ("untyped", [0, .. Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><methodResponse><params><param><value>text</value></param></params></methodResponse>")]);
        yield return ("call", [1, .. XmlRpcWriter.Call("device.query", new XmlRpcStruct { ["authenticationUser"] = "admin", ["authenticationPassword"] = "x" })]);
    }

    public override IEnumerable<string> Tokens =>
    [
        "<methodResponse>", "</methodResponse>", "<methodCall>", "<methodName>", "<params>", "</params>", "<param>", "</param>",
        "<value>", "</value>", "<struct>", "</struct>", "<member>", "</member>", "<name>", "</name>", "<array>", "<data>", "</data>",
        "<int>", "<i4>", "<boolean>", "<string>", "<double>", "<dateTime.iso8601>", "<base64>", "<fault>", "<nil/>",
        "<!DOCTYPE", "<!ENTITY", "&amp;", "&#13;", "<![CDATA[", "]]>", "faultCode", "faultString", "20261206T10:00:00",
    ];
}
