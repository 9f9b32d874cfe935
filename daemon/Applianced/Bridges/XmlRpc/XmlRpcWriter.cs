using System.Globalization;
using System.Text;
using System.Xml;

namespace Appliance.Daemon.Bridges.XmlRpc;

/// <summary>Writes XML-RPC calls, replies and faults (UTF-8, no BOM, no indentation).</summary>
public static class XmlRpcWriter
{
    /// <summary>dateTime.iso8601 as the bridges of this family write it: UTC, no zone suffix.</summary>
    public const string TimeFormat = "yyyyMMdd'T'HH:mm:ss";

    public static byte[] Call(string method, params object[] parameters) => Write(w =>
    {
        w.WriteStartElement("methodCall");
        w.WriteElementString("methodName", method);
        Params(w, parameters);
        w.WriteEndElement();
    });

    public static byte[] Response(object value) => Write(w =>
    {
        w.WriteStartElement("methodResponse");
        Params(w, [value]);
        w.WriteEndElement();
    });

    public static byte[] Fault(int code, string text) => Write(w =>
    {
        w.WriteStartElement("methodResponse");
        w.WriteStartElement("fault");
        Value(w, new XmlRpcStruct { ["faultCode"] = code, ["faultString"] = text });
        w.WriteEndElement();
        w.WriteEndElement();
    });

    private static void Params(XmlWriter w, object[] parameters)
    {
        w.WriteStartElement("params");
        foreach (var p in parameters)
        {
            w.WriteStartElement("param");
            Value(w, p);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Value(XmlWriter w, object value)
    {
        w.WriteStartElement("value");
        switch (value)
        {
            case int i: w.WriteElementString("int", i.ToString(CultureInfo.InvariantCulture)); break;
            case bool b: w.WriteElementString("boolean", b ? "1" : "0"); break;
            case string s: w.WriteElementString("string", s); break;
            case double d: w.WriteElementString("double", d.ToString("R", CultureInfo.InvariantCulture)); break;
            case DateTime t: w.WriteElementString("dateTime.iso8601", t.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture)); break;
            case DateTimeOffset t: w.WriteElementString("dateTime.iso8601", t.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)); break;
            case byte[] bytes: w.WriteElementString("base64", Convert.ToBase64String(bytes)); break;
            case XmlRpcStruct s:
                w.WriteStartElement("struct");
                foreach (var (name, member) in s)
                {
                    w.WriteStartElement("member");
                    w.WriteElementString("name", name);
                    Value(w, member);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
            case object[] items:
                w.WriteStartElement("array");
                w.WriteStartElement("data");
                foreach (var item in items) Value(w, item);
                w.WriteEndElement();
                w.WriteEndElement();
                break;
            default: throw new ArgumentException($"{XmlRpcValues.Describe(value)} has no XML-RPC type", nameof(value));
        }
        w.WriteEndElement();
    }

    private static byte[] Write(Action<XmlWriter> body)
    {
        using var buffer = new MemoryStream();
        // Entitized line ends: a string holding \r comes back as it was sent (XML would fold it into \n).
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false, CloseOutput = false, NewLineHandling = NewLineHandling.Entitize };
        try
        {
            using (var w = XmlWriter.Create(buffer, settings))
            {
                w.WriteStartDocument();
                body(w);
                w.WriteEndDocument();
            }
        }
        catch (ArgumentException e)
        {
            // A character XML 1.0 cannot carry (a control character in a name): nothing half written leaves.
            throw new XmlRpcFormatException($"cannot be written as XML-RPC: {e.Message}", e);
        }
        return buffer.ToArray();
    }
}
