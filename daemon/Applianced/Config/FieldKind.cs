namespace Appliance.Daemon.Config;

/// <summary>The syntax a field accepts and the JSON shape it is stored in.</summary>
public enum FieldKind
{
    /// <summary>Free text (stored as a string) without control, separator or format characters (<see cref="TextRules"/>).</summary>
    String,

    /// <summary>A safe name: letters, digits, '-', '_', '.', 1-64 characters.</summary>
    Token,

    /// <summary>A login name: lower-case letter or '_' then letters, digits, '-', '_' (max 32).</summary>
    UserName,

    /// <summary>This peer's own host name: RFC 1123 labels, at most as long as the host takes (64).</summary>
    HostName,

    /// <summary>A DNS domain (RFC 1123 labels).</summary>
    DomainName,

    /// <summary>A host name or a dotted IPv4 address.</summary>
    Host,

    /// <summary>A list of <see cref="Host"/> (JSON array of strings).</summary>
    HostList,

    /// <summary>A unicast dotted IPv4 address.</summary>
    Ipv4,

    /// <summary>A list of <see cref="Ipv4"/> (JSON array of strings).</summary>
    Ipv4List,

    /// <summary>A contiguous dotted net mask (a prefix length like 24 or /24 is accepted and stored dotted).</summary>
    Mask,

    /// <summary>An IPv4 network a.b.c.d/n without host bits, or "any".</summary>
    CidrOrAny,

    /// <summary>A whole number (JSON number), within Min..Max.</summary>
    Int,

    /// <summary>true/false (also yes/no, on/off, enabled/disabled, 1/0 on input).</summary>
    Bool,

    /// <summary>One of <see cref="FieldDef.Choices"/>.</summary>
    Enum,

    /// <summary>A TCP/UDP port "N" or range "N-M" (stored as a string).</summary>
    PortRange,

    /// <summary>A tzdata zone name such as "Europe/Oslo".</summary>
    TimeZone,

    /// <summary>A list of syslog targets host[:port][/udp|tcp|tls], stored as "host:port/proto".</summary>
    SyslogList,

    /// <summary>An ISO-8601 time with offset, stored in UTC ("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ").</summary>
    Time,

    /// <summary>A credential stored as given (it must be usable later) but never shown back; <see cref="TextRules"/> apply.</summary>
    Secret,

    /// <summary>A password stored only as a crypt(3) hash (<see cref="PasswordHash"/>), never shown back.</summary>
    HashedSecret,

    /// <summary>An OpenSSH public key line "TYPE BASE64 [COMMENT]" (<see cref="SshPublicKey"/>), stored in that form.</summary>
    SshPublicKey,

    /// <summary>An ordered list of item names (<see cref="Token"/>; JSON array of strings): a pool's bridges, a preference's pools.</summary>
    TokenList,

    /// <summary>A .NET regular expression that compiles non-backtracking (<see cref="AliasPattern"/>), stored as typed.</summary>
    Regex,
}
