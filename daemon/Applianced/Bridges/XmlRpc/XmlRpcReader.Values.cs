using System.Globalization;
using System.Text;
using System.Xml;

namespace Appliance.Daemon.Bridges.XmlRpc;

public static partial class XmlRpcReader
{
    private static readonly string[] TimeFormats =
    [
        XmlRpcWriter.TimeFormat, "yyyyMMdd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyyMMdd'T'HHmmss",
    ];

    private sealed partial class Parser
    {
        /// <summary>A value, entered on its &lt;value&gt; start; text without a type element is a string.</summary>
        private object Value(int depth)
        {
            if (++_values > limits.MaxValues)
                throw new XmlRpcFormatException($"more than {limits.MaxValues} values");
            if (r.IsEmptyElement)
                return "";
            var text = new StringBuilder();
            if (ReadText(text))
                return text.ToString();
            if (!string.IsNullOrWhiteSpace(text.ToString()))
                throw Unexpected("either text or one typed element in <value>");
            var typed = Typed(depth);
            End("value");
            return typed;
        }

        private object Typed(int depth)
        {
            var type = r.LocalName;
            switch (type)
            {
                case "struct":
                    return Struct(depth + 1);
                case "array":
                    return Array(depth + 1);
                case "int" or "i4" or "boolean" or "string" or "double" or "dateTime.iso8601" or "base64":
                    return Scalar(type, Text());
                default:
                    throw new XmlRpcFormatException($"<{Clip(r.Name)}> is not an XML-RPC type (int, i4, boolean, string, double, dateTime.iso8601, base64, struct, array)");
            }
        }

        private static object Scalar(string type, string text)
        {
            var trimmed = text.Trim();
            switch (type)
            {
                case "string":
                    return text;
                case "boolean":
                    return trimmed switch
                    {
                        "1" => true,
                        "0" => false,
                        _ => throw Bad(type, text, "is neither 0 nor 1"),
                    };
                case "double":
                    return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                        ? d : throw Bad(type, text, "is not a finite number");
                case "dateTime.iso8601":
                    return DateTime.TryParseExact(trimmed, TimeFormats, CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                        ? t : throw Bad(type, text, "is not a time such as 20261206T10:00:00");
                case "base64":
                    try { return Convert.FromBase64String(text); }
                    catch (FormatException) { throw Bad(type, text, "is not base64"); }
                default:
                    return int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                        ? i : throw Bad(type, text, "is not a 32-bit integer");
            }
        }

        private XmlRpcStruct Struct(int depth)
        {
            Deep(depth);
            var result = new XmlRpcStruct();
            if (r.IsEmptyElement)
                return result;
            while (Next() == XmlNodeType.Element)
            {
                if (r.LocalName != "member" || r.IsEmptyElement)
                    throw Unexpected("<member> in <struct>");
                Start("name", "member", mayBeEmpty: true);
                var name = Text();
                Start("value", "member", mayBeEmpty: true);
                var value = Value(depth);
                if (!result.TryAdd(name, value))
                    throw new XmlRpcFormatException($"struct member '{Clip(name)}' appears twice");
                End("member");
            }
            if (r.LocalName != "struct")
                throw Unexpected("</struct>");
            return result;
        }

        private object[] Array(int depth)
        {
            Deep(depth);
            if (r.IsEmptyElement)
                throw new XmlRpcFormatException("<array> without <data>");
            Start("data", "array", mayBeEmpty: true);
            var items = new List<object>();
            if (!r.IsEmptyElement)
            {
                while (Next() == XmlNodeType.Element)
                {
                    if (r.LocalName != "value")
                        throw Unexpected("<value> in <data>");
                    items.Add(Value(depth));
                }
                if (r.LocalName != "data")
                    throw Unexpected("</data>");
            }
            End("array");
            return [.. items];
        }

        /// <summary>The text content of the current element up to its end; an element inside is refused.</summary>
        private string Text()
        {
            if (r.IsEmptyElement)
                return "";
            var name = r.LocalName;
            var text = new StringBuilder();
            return ReadText(text) ? text.ToString() : throw Unexpected($"text in <{name}>");
        }

        /// <summary>Appends text until the element ends (true) or a child element starts (false, the reader on it).</summary>
        private bool ReadText(StringBuilder text)
        {
            while (r.Read())
            {
                switch (r.NodeType)
                {
                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                    case XmlNodeType.Whitespace:
                    case XmlNodeType.SignificantWhitespace:
                        text.Append(r.Value);
                        continue;
                    case XmlNodeType.EndElement:
                        return true;
                    case XmlNodeType.Element:
                        return false;
                    default:
                        throw Unexpected("text or an element");
                }
            }
            throw Unexpected("an end tag"); // not reached: the reader refuses an element left open
        }

        private void Deep(int depth)
        {
            if (depth > limits.MaxDepth)
                throw new XmlRpcFormatException($"structs and arrays nested more than {limits.MaxDepth} deep");
        }

        private static XmlRpcFormatException Bad(string type, string text, string rule) => new($"<{type}> '{Clip(text)}' {rule}");
    }
}
