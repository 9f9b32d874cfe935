using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// A field as config.sections describes it to people (help config set, the shell's `?`, tab
/// completion of values): its kind, the syntax in words with the limits that apply, the choices,
/// the default and the help line. The CLI renders this; it keeps no table of fields of its own.
/// </summary>
public static class FieldDescription
{
    public static JsonObject Describe(FieldDef f)
    {
        var d = new JsonObject
        {
            ["name"] = f.Name,
            ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(f.Kind.ToString()),
            ["syntax"] = Syntax(f),
            ["required"] = f.Required,
            ["secret"] = f.IsSecret,
        };
        if (f.Kind == FieldKind.Int)
        {
            if (f.Min != int.MinValue) d["min"] = f.Min;
            if (f.Max != int.MaxValue) d["max"] = f.Max;
        }
        if (f.Kind is FieldKind.String or FieldKind.Secret or FieldKind.Regex) d["maxLength"] = f.MaxLength;
        if (f.IsList) d["maxCount"] = f.MaxCount;
        if (Choices(f) is { Count: > 0 } choices) d["choices"] = new JsonArray([.. choices.Select(c => (JsonNode)c)]);
        if (!f.IsSecret && f.Default is not null) d["default"] = f.Default.DeepClone();
        d["help"] = f.Help;
        return d;
    }

    private static IReadOnlyList<string> Choices(FieldDef f) => f.Kind switch
    {
        FieldKind.Enum => f.Choices,
        FieldKind.Bool => ["true", "false"],
        _ => [],
    };

    /// <summary>What the field accepts, in words, with its limits ("whole number 1..65535").</summary>
    private static string Syntax(FieldDef f) => f.Kind switch
    {
        FieldKind.String => $"text, at most {f.MaxLength} characters",
        FieldKind.Token => "name: letters, digits, - _ . (1-64)",
        FieldKind.UserName => "login name: a-z or _, then a-z 0-9 - _ (at most 32)",
        FieldKind.HostName => "host name (RFC 1123 labels, at most 64)",
        FieldKind.DomainName => "DNS domain (RFC 1123 labels)",
        FieldKind.Host => "host name or IPv4 address",
        FieldKind.HostList => $"host names or IPv4 addresses, at most {f.MaxCount}",
        FieldKind.Ipv4 => "IPv4 address",
        FieldKind.Ipv4List => $"IPv4 addresses, at most {f.MaxCount}",
        FieldKind.Mask => "net mask (255.255.255.0, 24 or /24)",
        FieldKind.CidrOrAny => "a.b.c.d/n or any",
        FieldKind.Int => "whole number" + Range(f),
        FieldKind.Bool => "true or false (yes/no, on/off)",
        FieldKind.Enum => "one of " + string.Join(", ", f.Choices),
        FieldKind.PortRange => "port N or range N-M",
        FieldKind.TimeZone => "tzdata zone name (Europe/Oslo)",
        FieldKind.SyslogList => $"syslog targets host[:port][/udp|tcp|tls], at most {f.MaxCount}",
        FieldKind.Time => "ISO-8601 time with offset",
        FieldKind.Secret => $"secret, at most {f.MaxLength} characters (asked for, never shown)",
        FieldKind.HashedSecret => "password (asked for, stored as a hash, never shown)",
        FieldKind.SshPublicKey => "OpenSSH public key line: TYPE BASE64 [COMMENT]",
        FieldKind.TokenList => $"names, in order, at most {f.MaxCount}",
        FieldKind.Regex => $".NET regular expression matching the whole alias, at most {f.MaxLength} characters (no backreferences or lookarounds)",
        _ => f.Kind.ToString(),
    };

    private static string Range(FieldDef f) => (f.Min != int.MinValue, f.Max != int.MaxValue) switch
    {
        (true, true) => string.Create(CultureInfo.InvariantCulture, $" {f.Min}..{f.Max}"),
        (true, false) => string.Create(CultureInfo.InvariantCulture, $" >= {f.Min}"),
        (false, true) => string.Create(CultureInfo.InvariantCulture, $" <= {f.Max}"),
        _ => "",
    };
}
