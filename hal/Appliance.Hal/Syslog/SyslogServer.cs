using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Hal;

/// <summary>How messages travel to a syslog server.</summary>
public enum SyslogTransport
{
    /// <summary>One datagram per message (RFC 5426).</summary>
    Udp,
    /// <summary>TCP with octet-counting framing (RFC 6587).</summary>
    Tcp,
    /// <summary>TLS over TCP with octet-counting framing (RFC 5425).</summary>
    Tls,
}

/// <summary>A remote syslog server.</summary>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">Port (514 for UDP/TCP and 6514 for TLS by convention).</param>
/// <param name="Transport">Transport.</param>
public sealed record SyslogServer(string Host, int Port, SyslogTransport Transport)
{
    /// <summary>Parses "host:port/udp|tcp|tls" (port and transport optional; default udp, ports 514/6514).</summary>
    public static SyslogServer Parse(string text)
    {
        var transport = SyslogTransport.Udp;
        var rest = text.Trim();
        var slash = rest.LastIndexOf('/');
        if (slash >= 0)
        {
            if (!Enum.TryParse(rest[(slash + 1)..], ignoreCase: true, out transport) || !Enum.IsDefined(transport))
                throw new FormatException($"syslog server '{text}': transport '{rest[(slash + 1)..]}' is not udp, tcp or tls");
            rest = rest[..slash];
        }
        var port = transport == SyslogTransport.Tls ? 6514 : 514;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0 && !rest.EndsWith(']') && rest.Count(c => c == ':') == 1)
        {
            if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                throw new FormatException($"syslog server '{text}': port '{rest[(colon + 1)..]}' is not 1..65535");
            rest = rest[..colon];
        }
        if (rest.Length == 0)
            throw new FormatException($"syslog server '{text}': no host");
        return new SyslogServer(rest.Trim('[', ']'), port, transport);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Host}:{Port}/{Transport.ToString().ToLowerInvariant()}";
}

/// <summary>Settings of a <see cref="SyslogForwarder"/>.</summary>
public sealed class SyslogForwarderOptions
{
    /// <summary>Messages queued per server before new ones are dropped (and counted).</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>First wait before reconnecting a TCP/TLS server; doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between reconnect attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for connecting and the TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Validates TLS server certificates; null uses <see cref="TrustedRoots"/> (or the system trust
    /// store) and the host name check. Tests set it to trust a certificate they generated.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    /// <summary>
    /// When set, a TLS server is trusted only if its chain ends at one of these certificates (the
    /// system trust store is not consulted); its host name is still checked. Null: the system store.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }
}
