using System.Globalization;
using System.Text;

namespace Appliance.Hal;

/// <summary>
/// Formats RFC 5424 messages:
/// <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG</c>.
/// </summary>
public static class Rfc5424Formatter
{
    private const string Nil = "-";

    /// <summary>The message as text (no framing).</summary>
    public static string Format(SyslogMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var pri = (int)m.Facility * 8 + (int)m.Severity;
        var sb = new StringBuilder(64 + m.Message.Length);
        sb.Append('<').Append(pri.ToString(CultureInfo.InvariantCulture)).Append(">1 ");
        // UTC with microseconds: the most precision RFC 5424 allows (TIME-SECFRAC is 1-6 digits).
        sb.Append(m.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(' ');
        sb.Append(Field(m.HostName, 255)).Append(' ');
        sb.Append(Field(m.AppName, 48)).Append(' ');
        sb.Append(Field(m.ProcId, 128)).Append(' ');
        sb.Append(Field(m.MsgId, 32)).Append(' ');
        sb.Append(Nil); // STRUCTURED-DATA
        // MSG is sent as MSG-ANY (UTF-8 without a BOM): common receivers show a BOM as junk.
        if (m.Message.Length > 0)
            sb.Append(' ').Append(m.Message);
        return sb.ToString();
    }

    /// <summary>The message as UTF-8 bytes (no framing).</summary>
    public static byte[] FormatBytes(SyslogMessage m) => Encoding.UTF8.GetBytes(Format(m));

    /// <summary>Octet-counting framing for stream transports (RFC 6587 3.4.1, RFC 5425): "LEN SP MSG".</summary>
    public static byte[] Frame(byte[] message)
    {
        var prefix = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ");
        return [.. prefix, .. message];
    }

    // Header fields are PRINTUSASCII (33..126) with a maximum length; anything else is replaced
    // so a bad host name cannot break the header's space-separated structure.
    private static string Field(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
            return Nil;
        var chars = value.Select(c => c is >= '!' and <= '~' ? c : '_').Take(maxLength).ToArray();
        return new string(chars);
    }
}
