using System.Text;

namespace Appliance.Sip;

/// <summary>
/// Cuts messages out of a stream (TCP, TLS): the header block up to the empty line, then exactly
/// Content-Length bytes (RFC 3261 18.3). Works on a buffer; the transport owns the socket.
/// </summary>
public static class SipFraming
{
    /// <summary>
    /// Looks at the start of <paramref name="buffer"/>. Returns false when more bytes are needed.
    /// True with <paramref name="skip"/> leading CRLF keep-alive bytes to drop and the
    /// <paramref name="length"/> of the message after them (0: only keep-alives so far). Throws
    /// <see cref="SipParseException"/> when the stream cannot be framed (no usable Content-Length,
    /// headers or message over the limit): the connection must then be closed.
    /// </summary>
    public static bool TryFrame(ReadOnlySpan<byte> buffer, SipLimits limits, out int skip, out int length)
    {
        skip = SipParser.SkipLeadingLineEnds(buffer);
        length = 0;
        if (skip == buffer.Length) return skip > 0;
        var rest = buffer[skip..];
        var end = HeaderEnd(rest);
        if (end < 0)
        {
            if (rest.Length > limits.MaxMessageBytes)
                throw new SipParseException($"no end of headers within {limits.MaxMessageBytes} bytes");
            return false;
        }
        var contentLength = ContentLength(rest[..end]);
        if (contentLength is null) throw new SipParseException("Content-Length is required on a stream transport");
        var total = (long)end + contentLength.Value;
        if (total > limits.MaxMessageBytes)
            throw new SipParseException($"message of {total} bytes (Content-Length {contentLength}) exceeds the limit of {limits.MaxMessageBytes}");
        if (rest.Length < total) return false;
        length = (int)total;
        return true;
    }

    /// <summary>Index just past the empty line ending the headers (CRLFCRLF or LFLF), or -1.</summary>
    private static int HeaderEnd(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != '\n') continue;
            var j = i + 1;
            if (j < data.Length && data[j] == '\r') j++;
            if (j < data.Length && data[j] == '\n') return j + 1;
        }
        return -1;
    }

    /// <summary>The Content-Length (or "l") value in a header block, without parsing the rest.</summary>
    private static int? ContentLength(ReadOnlySpan<byte> head) =>
        SipParser.ContentLength(
            from raw in Encoding.Latin1.GetString(head).Split('\n')
            let line = raw.TrimEnd('\r')
            let colon = line.IndexOf(':')
            where colon > 0 && line[0] is not (' ' or '\t')
            where SipHeaderNames.Normalize(line[..colon].Trim()) == SipHeaderNames.ContentLength
            select line[(colon + 1)..].Trim());
}
