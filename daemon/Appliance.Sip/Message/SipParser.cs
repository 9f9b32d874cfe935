using System.Globalization;
using System.Text;

namespace Appliance.Sip;

/// <summary>
/// Bytes to a <see cref="SipMessage"/> (RFC 3261 section 7 and 25), within <see cref="SipLimits"/>.
/// Anything it cannot read, or a message without the headers every request and response needs,
/// is a <see cref="SipParseException"/> whose text names the part and the rule. Never touches a socket.
/// </summary>
public static partial class SipParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses one whole message. <paramref name="fromStream"/>: the bytes came off a stream transport,
    /// where Content-Length is mandatory and must match exactly (the framer cut the message with it).
    /// On a datagram a missing Content-Length means "the rest", and bytes beyond it are ignored (18.3).
    /// </summary>
    public static SipMessage Parse(ReadOnlySpan<byte> data, SipLimits? limits = null, bool fromStream = false)
    {
        limits ??= SipLimits.Default;
        if (data.Length > limits.MaxMessageBytes)
            throw new SipParseException($"message of {data.Length} bytes exceeds the limit of {limits.MaxMessageBytes}");
        var pos = SkipLeadingLineEnds(data);
        if (pos == data.Length) throw new SipParseException("empty message");

        var (startLine, next) = ReadLine(data, pos, limits, "start line");
        if (startLine.Length == 0) throw new SipParseException("empty start line");
        var message = ParseStartLine(startLine);
        pos = ReadHeaders(data, next, limits, message.Headers);
        message.Body = Body(data[pos..], message.Headers, fromStream).ToArray();
        Validate(message);
        return message;
    }

    /// <summary>CRLFs before the start line are ignored (7.5); a datagram of nothing else is a keep-alive.</summary>
    public static bool IsKeepAlive(ReadOnlySpan<byte> data) => SkipLeadingLineEnds(data) == data.Length;

    internal static int SkipLeadingLineEnds(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && data[i] is (byte)'\r' or (byte)'\n') i++;
        return i;
    }

    /// <summary>One line ending in LF (an optional CR before it is dropped), decoded as strict UTF-8.</summary>
    private static (string Line, int Next) ReadLine(ReadOnlySpan<byte> data, int pos, SipLimits limits, string what)
    {
        var rest = data[pos..];
        var lf = rest.IndexOf((byte)'\n');
        if (lf < 0) throw new SipParseException($"{what} is not terminated by CRLF (the headers must end with an empty line)");
        var line = rest[..lf];
        if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
        if (line.Length > limits.MaxLineBytes)
            throw new SipParseException($"{what} of {line.Length} bytes exceeds the line limit of {limits.MaxLineBytes}");
        foreach (var b in line)
            if (b < 0x20 && b != '\t' || b == 0x7F)
                throw new SipParseException($"{what} has the control character 0x{b:X2}");
        try
        {
            return (StrictUtf8.GetString(line), pos + lf + 1);
        }
        catch (DecoderFallbackException)
        {
            throw new SipParseException($"{what} is not valid UTF-8");
        }
    }

    private static SipMessage ParseStartLine(string line)
    {
        var parts = line.Split(' ', 3);
        if (line.StartsWith("SIP/", StringComparison.Ordinal))
        {
            if (parts[0] != "SIP/2.0") throw new SipParseException($"status line '{SipText.Excerpt(line)}': version '{parts[0]}' is not SIP/2.0");
            if (parts.Length < 2 || parts[1].Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 699)
                throw new SipParseException($"status line '{SipText.Excerpt(line)}': the status code must be three digits 100-699");
            return new SipResponse(code, parts.Length > 2 ? parts[2] : "");
        }
        if (parts.Length != 3) throw new SipParseException($"request line '{SipText.Excerpt(line)}': expected 'METHOD URI SIP/2.0'");
        if (!SipText.IsToken(parts[0])) throw new SipParseException($"request line: method '{SipText.Excerpt(parts[0])}' is not a token");
        if (parts[2] != "SIP/2.0") throw new SipParseException($"request line: version '{SipText.Excerpt(parts[2])}' is not SIP/2.0");
        return new SipRequest(parts[0], SipUri.Parse(parts[1]));
    }

    /// <summary>Header lines up to the empty line; folded lines join their field (7.3.1). Returns where the body starts.</summary>
    private static int ReadHeaders(ReadOnlySpan<byte> data, int pos, SipLimits limits, SipHeaders headers)
    {
        string? name = null;
        var value = new StringBuilder();
        var count = 0;
        while (true)
        {
            if (pos >= data.Length) throw new SipParseException("headers are not terminated by an empty line");
            var (line, next) = ReadLine(data, pos, limits, $"header line {count + 1}");
            pos = next;
            if (line.Length == 0) break;
            if (line[0] is ' ' or '\t')
            {
                if (name is null) throw new SipParseException("a continuation line comes before any header");
                if (value.Length + line.Length > limits.MaxLineBytes)
                    throw new SipParseException($"header {name} with its continuation lines exceeds the line limit of {limits.MaxLineBytes}");
                // One space joins the parts; an empty part (the value begins on the next line) adds none,
                // so the field reads the same once written out on one line.
                var part = line.AsSpan().Trim();
                if (part.Length > 0 && value.Length > 0) value.Append(' ');
                value.Append(part);
                continue;
            }
            if (name is not null) headers.Add(name, value.ToString());
            if (++count > limits.MaxHeaders) throw new SipParseException($"more than {limits.MaxHeaders} header fields");
            var colon = line.IndexOf(':');
            if (colon < 0) throw new SipParseException($"header line {count} '{SipText.Excerpt(line)}' has no ':'");
            var rawName = line.AsSpan(0, colon).TrimEnd(" \t");
            if (!SipText.IsToken(rawName)) throw new SipParseException($"header name '{SipText.Excerpt(rawName)}' is not a token");
            name = rawName.ToString();
            value.Clear().Append(line.AsSpan(colon + 1).Trim());
        }
        if (name is not null) headers.Add(name, value.ToString());
        return pos;
    }

    private static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> rest, SipHeaders headers, bool fromStream)
    {
        var length = ContentLength(headers);
        if (length is null)
            return fromStream ? throw new SipParseException("Content-Length is required on a stream transport") : rest;
        if (length > rest.Length)
            throw new SipParseException($"Content-Length {length} exceeds the {rest.Length} bytes of body received");
        if (fromStream && length < rest.Length)
            throw new SipParseException($"Content-Length {length} leaves {rest.Length - length} bytes unread after the body");
        return rest[..length.Value];
    }

    /// <summary>The Content-Length value; several lines must agree; digits only.</summary>
    internal static int? ContentLength(SipHeaders headers) => ContentLength(headers.GetAll(SipHeaderNames.ContentLength));

    /// <summary>The Content-Length of its values, also for the framer that has not parsed the headers.</summary>
    internal static int? ContentLength(IEnumerable<string> values)
    {
        int? length = null;
        foreach (var v in values)
        {
            if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new SipParseException($"Content-Length '{SipText.Excerpt(v)}' is not a number of bytes");
            if (length is { } earlier && earlier != n)
                throw new SipParseException($"Content-Length given twice with different values ({earlier} and {n})");
            length = n;
        }
        return length;
    }
}
