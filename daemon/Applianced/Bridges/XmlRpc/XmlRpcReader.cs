using System.Text;
using System.Xml;

namespace Appliance.Daemon.Bridges.XmlRpc;

/// <summary>A method call as a server reads it.</summary>
public sealed record XmlRpcCall(string Method, IReadOnlyList<object> Parameters);

/// <summary>
/// Reads XML-RPC documents from the other side: a reply (the client's case) or a call (the
/// bridge simulator's). Everything that is not exactly XML-RPC within <see cref="XmlRpcLimits"/>
/// is refused with an <see cref="XmlRpcFormatException"/> saying what and where; no DTD, entity
/// or external reference is ever resolved. A fault reply becomes an <see cref="XmlRpcFaultException"/>.
/// </summary>
public static partial class XmlRpcReader
{
    /// <summary>The single value of a methodResponse; throws <see cref="XmlRpcFaultException"/> for a fault.</summary>
    public static object ReadResponse(ReadOnlySpan<byte> document, XmlRpcLimits? limits = null) =>
        Parse(document, limits, p => p.Response());

    public static XmlRpcCall ReadCall(ReadOnlySpan<byte> document, XmlRpcLimits? limits = null) =>
        Parse(document, limits, p => p.Call());

    private static T Parse<T>(ReadOnlySpan<byte> document, XmlRpcLimits? limits, Func<Parser, T> read)
    {
        limits ??= XmlRpcLimits.Default;
        if (document.Length > limits.MaxBytes)
            throw new XmlRpcFormatException($"the document is {document.Length} bytes, more than the limit of {limits.MaxBytes}");
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            MaxCharactersInDocument = limits.MaxBytes,
            CloseInput = true,
        };
        var text = Utf8(document);
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            var parser = new Parser(reader, limits);
            var result = read(parser);
            parser.ExpectEnd();
            return result;
        }
        catch (XmlException e)
        {
            throw new XmlRpcFormatException($"not well-formed XML: {e.Message}", e);
        }
    }

    /// <summary>
    /// XML-RPC travels as UTF-8 (a BOM is allowed): decoded here, strictly, so the XML reader never
    /// switches encodings on a declaration. Fuzzing found a declaration whose encoding switch makes
    /// System.Xml throw ArgumentOutOfRangeException (tests/Appliance.Tests/Fuzz/XmlRpcFuzzTests.cs).
    /// </summary>
    private static string Utf8(ReadOnlySpan<byte> document)
    {
        if (document.StartsWith(Bom)) document = document[Bom.Length..];
        try { return StrictUtf8.GetString(document); }
        catch (DecoderFallbackException) { throw new XmlRpcFormatException("the document is not UTF-8"); }
    }

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private sealed partial class Parser(XmlReader r, XmlRpcLimits limits)
    {
        private int _values;

        public object Response()
        {
            Start("methodResponse");
            if (Next() != XmlNodeType.Element)
                throw Unexpected("<params> or <fault>");
            object result;
            if (r.LocalName == "fault" && !r.IsEmptyElement)
            {
                Start("value", "fault", mayBeEmpty: true);
                var fault = Value(0) as XmlRpcStruct ?? throw new XmlRpcFormatException("a fault's value is not a struct");
                var code = fault.Int("faultCode");
                var text = fault.String("faultString");
                End("fault");
                End("methodResponse");
                throw new XmlRpcFaultException(code, text);
            }
            if (r.LocalName != "params" || r.IsEmptyElement)
                throw Unexpected("<params> holding one <param>");
            Start("param", "params");
            Start("value", "param", mayBeEmpty: true);
            result = Value(0);
            End("param");
            End("params");
            End("methodResponse");
            return result;
        }

        public XmlRpcCall Call()
        {
            Start("methodCall");
            Start("methodName", "methodCall", mayBeEmpty: true);
            var method = Text();
            if (method.Length == 0 || method.Length > 128)
                throw new XmlRpcFormatException($"methodName must be 1-128 characters, not {method.Length}");
            var parameters = new List<object>();
            var next = Next();
            if (next == XmlNodeType.Element && r.LocalName == "params")
            {
                if (!r.IsEmptyElement)
                {
                    while (Next() == XmlNodeType.Element)
                    {
                        if (r.LocalName != "param" || r.IsEmptyElement) throw Unexpected("<param> holding a <value>");
                        Start("value", "param", mayBeEmpty: true);
                        parameters.Add(Value(0));
                        End("param");
                    }
                    if (r.LocalName != "params") throw Unexpected("</params>");
                }
                next = Next();
            }
            if (next != XmlNodeType.EndElement || r.LocalName != "methodCall")
                throw Unexpected("</methodCall>");
            return new XmlRpcCall(method, parameters);
        }

        /// <summary>Only whitespace (or nothing) may follow the document element.</summary>
        public void ExpectEnd()
        {
            if (Next() != XmlNodeType.None)
                throw Unexpected("the end of the document");
        }

        /// <summary>
        /// The next element start or end, skipping whitespace; None at the end of the document.
        /// Text between elements is refused (XML-RPC has none there).
        /// </summary>
        private XmlNodeType Next()
        {
            while (r.Read())
            {
                switch (r.NodeType)
                {
                    case XmlNodeType.Element:
                    case XmlNodeType.EndElement:
                        return r.NodeType;
                    case XmlNodeType.Whitespace:
                    case XmlNodeType.SignificantWhitespace:
                    case XmlNodeType.XmlDeclaration:
                        continue;
                    default:
                        throw Unexpected("an element");
                }
            }
            return XmlNodeType.None;
        }

        /// <summary>Moves to the next element, which must be named <paramref name="name"/> and (unless allowed) have content.</summary>
        private void Start(string name, string? parent = null, bool mayBeEmpty = false)
        {
            if (Next() != XmlNodeType.Element || r.LocalName != name)
                throw Unexpected(parent is null ? $"<{name}>" : $"<{name}> in <{parent}>");
            if (r.IsEmptyElement && !mayBeEmpty)
                throw new XmlRpcFormatException($"<{name}> is empty");
        }

        private void End(string name)
        {
            if (Next() != XmlNodeType.EndElement || r.LocalName != name)
                throw Unexpected($"</{name}>");
        }

        private XmlRpcFormatException Unexpected(string expected)
        {
            var found = r.EOF ? "the end of the document" : r.NodeType switch
            {
                XmlNodeType.Element => $"<{Clip(r.Name)}>",
                XmlNodeType.EndElement => $"</{Clip(r.Name)}>",
                XmlNodeType.Text or XmlNodeType.CDATA => $"text '{Clip(r.Value)}'",
                XmlNodeType.None => "nothing",
                _ => r.NodeType.ToString(),
            };
            var position = r is IXmlLineInfo info && info.HasLineInfo() ? $" at line {info.LineNumber}, column {info.LinePosition}" : "";
            return new XmlRpcFormatException($"expected {expected}, found {found}{position}");
        }

        private static string Clip(string text)
        {
            var clipped = text.Length > 40 ? text[..40] + "..." : text;
            return Config.TextRules.Escape(clipped);
        }
    }
}
