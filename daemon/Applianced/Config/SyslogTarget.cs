using System.Globalization;

namespace Appliance.Daemon.Config;

/// <summary>A remote syslog server: host[:port][/udp|tcp|tls]; port 514 for udp/tcp, 6514 for tls.</summary>
public sealed record SyslogTarget(string Host, int Port, string Protocol)
{
    public static readonly string[] Protocols = ["udp", "tcp", "tls"];

    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{Protocol}";

    public static SyslogTarget Parse(string text, string path)
    {
        var rest = text;
        var protocol = "udp";
        var slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            protocol = rest[(slash + 1)..].ToLowerInvariant();
            rest = rest[..slash];
            if (!Protocols.Contains(protocol))
                throw FieldValues.Fail(path, text, "has a protocol that is not udp, tcp or tls");
        }
        int? port = null;
        var colon = rest.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                throw FieldValues.Fail(path, text, "has a port that is not from 1 to 65535");
            port = p;
            rest = rest[..colon];
        }
        if (HostNames.CheckHost(rest) is { } why)
            throw FieldValues.Fail(path, text, $"is not host[:port][/udp|tcp|tls]: the host {why}");
        return new SyslogTarget(rest.ToLowerInvariant(), port ?? (protocol == "tls" ? 6514 : 514), protocol);
    }
}
