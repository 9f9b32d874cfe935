using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>Parsing and checking of field values, one kind at a time.</summary>
internal static class FieldValues
{
    private static readonly string[] TrueWords = ["true", "yes", "on", "enabled", "enable", "1"];
    private static readonly string[] FalseWords = ["false", "no", "off", "disabled", "disable", "0"];

    public static JsonNode? Parse(FieldDef f, IReadOnlyList<string> values, string path, ConfigContext ctx)
    {
        if (f.IsList)
            return ParseList(f, values.SelectMany(SplitListWords).ToList(), path, ctx);
        if (values.Count == 0)
            return f.DefaultValue(); // lets SetFields clear one field while changing another
        string text;
        if (f.Kind == FieldKind.String)
            text = string.Join(' ', values); // unquoted CLI words of a description
        else if (values.Count == 1)
            text = values[0];
        else
            throw Fail(path, f.IsSecret ? null : string.Join(' ', values),
                $"takes exactly one value (got {values.Count})");
        if (f.IsSecret)
            return ParseSecret(f, text, path);
        return ParseScalar(f, text.Trim(), path, ctx);
    }

    public static void Check(FieldDef f, JsonNode? node, string path, ConfigContext ctx)
    {
        if (node is null)
        {
            if (f.IsList)
                throw Fail(path, null, "must be a list (null given)");
            return;
        }
        if (f.IsList)
        {
            if (node is not JsonArray array || array.Any(e => e?.GetValueKind() != JsonValueKind.String))
                throw Fail(path, node.ToJsonString(), "must be a list of strings");
            ParseList(f, array.Select(e => e!.GetValue<string>()).ToList(), path, ctx);
            return;
        }
        var kind = node.GetValueKind();
        switch (f.Kind)
        {
            case FieldKind.Int when kind == JsonValueKind.Number:
                ParseScalar(f, node.ToJsonString(), path, ctx);
                return;
            case FieldKind.Bool when kind is JsonValueKind.True or JsonValueKind.False:
                return;
            case FieldKind.HashedSecret when kind == JsonValueKind.String:
                if (PasswordHash.Malformed(node.GetValue<string>()) is { } hashWhy)
                    throw Fail(path, null, hashWhy);
                return;
            case FieldKind.Secret when kind == JsonValueKind.String:
                ParseSecret(f, node.GetValue<string>(), path);
                return;
            case not (FieldKind.Int or FieldKind.Bool or FieldKind.HashedSecret or FieldKind.Secret)
                when kind == JsonValueKind.String:
                ParseScalar(f, node.GetValue<string>(), path, ctx);
                return;
            default:
                throw Fail(path, f.IsSecret ? null : node.ToJsonString(), $"has the wrong JSON type for a {f.Kind} field");
        }
    }

    private static IEnumerable<string> SplitListWords(string value) =>
        value.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static JsonArray ParseList(FieldDef f, List<string> items, string path, ConfigContext ctx)
    {
        if (items.Count > f.MaxCount)
            throw Fail(path, string.Join(' ', items), $"has {items.Count} entries; at most {f.MaxCount} allowed");
        var result = new JsonArray();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var canonical = f.Kind switch
            {
                FieldKind.Ipv4List => ParseIpv4(item, path),
                FieldKind.HostList => ParseHost(item, path),
                FieldKind.TokenList => ItemNames.IsValid(item) ? item : throw Fail(path, item, ItemNames.Rule),
                _ => SyslogTarget.Parse(item, path).ToString(),
            };
            if (!seen.Add(canonical))
                throw Fail(path, item, "is listed twice");
            result.Add(canonical);
        }
        return result;
    }

    private static JsonNode? ParseSecret(FieldDef f, string text, string path)
    {
        if (text.Length == 0)
            return null; // an empty secret means "not set"
        if (TextRules.Check(text) is { } why)
            throw Fail(path, null, why);
        if (text.Length > f.MaxLength)
            throw Fail(path, null, $"is longer than {f.MaxLength} characters");
        if (f.Kind == FieldKind.HashedSecret && System.Text.Encoding.UTF8.GetByteCount(text) > CryptHash.MaxPasswordBytes)
            throw Fail(path, null, $"is longer than {CryptHash.MaxPasswordBytes} bytes in UTF-8");
        return f.Kind == FieldKind.HashedSecret ? PasswordHash.Hash(text) : text;
    }

    private static JsonNode ParseScalar(FieldDef f, string text, string path, ConfigContext ctx)
    {
        switch (f.Kind)
        {
            case FieldKind.Int:
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                    throw Fail(path, text, "is not a whole number");
                if (n < f.Min || n > f.Max)
                    throw Fail(path, text, RangeRule(f));
                return n;
            case FieldKind.Bool:
                var lower = text.ToLowerInvariant();
                if (TrueWords.Contains(lower))
                    return true;
                if (FalseWords.Contains(lower))
                    return false;
                throw Fail(path, text, "is not true or false");
            case FieldKind.Enum:
                var choice = f.Choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase));
                return choice ?? throw Fail(path, text, $"is not one of: {string.Join(", ", f.Choices)}");
            case FieldKind.Ipv4:
                return ParseIpv4(text, path);
            case FieldKind.Mask:
                return Ipv4.TryParseMask(text, out var mask, out var why) ? Ipv4.Format(mask) : throw Fail(path, text, why);
            case FieldKind.CidrOrAny:
                return ParseCidr(text, path);
            case FieldKind.Host:
                return ParseHost(text, path);
            case FieldKind.HostName:
                return HostNames.CheckOwnHostName(text) is { } hostWhy ? throw Fail(path, text, hostWhy) : text.ToLowerInvariant();
            case FieldKind.DomainName:
                return HostNames.IsHostName(text) ? text.ToLowerInvariant() : throw Fail(path, text, HostNames.NameRule);
            case FieldKind.Token:
                return ItemNames.IsValid(text) ? text : throw Fail(path, text, ItemNames.Rule);
            case FieldKind.UserName:
                return IsUserName(text) ? text
                    : throw Fail(path, text, "is not a user name (a lower-case letter or '_', then letters, digits, '-', '_'; at most 32)");
            case FieldKind.Regex:
                return AliasPattern.Check(text, f.MaxLength) is { } regexWhy ? throw Fail(path, text, regexWhy) : text;
            case FieldKind.PortRange:
                return PortRange.Parse(text, path).ToString();
            case FieldKind.TimeZone:
                return TimeZones.Check(text, ctx.ZoneInfoDir) is { } tzWhy ? throw Fail(path, text, tzWhy) : text;
            case FieldKind.SshPublicKey:
                // The key itself is never echoed: the rule names what is wrong with it.
                return SshPublicKey.Parse(text, out var keyWhy) is { } key ? key.Line : throw Fail(path, null, keyWhy!);
            case FieldKind.Time:
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
                    || !text.Contains('T'))
                    throw Fail(path, text, "is not an ISO-8601 time like 2026-11-25T12:00:00Z");
                return t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);
            default:
                if (TextRules.Check(text) is { } textWhy)
                    throw Fail(path, text, textWhy);
                if (text.Length > f.MaxLength)
                    throw Fail(path, text, $"is longer than {f.MaxLength} characters");
                return text;
        }
    }

    private static string RangeRule(FieldDef f) => f.Max == int.MaxValue
        ? $"is less than {f.Min}"
        : $"is not from {f.Min} to {f.Max}";

    private static string ParseIpv4(string text, string path)
    {
        if (!Ipv4.TryParse(text, out var v))
            throw Fail(path, text, "is not a dotted IPv4 address like 198.18.0.10");
        return Ipv4.IsUnicast(v) ? Ipv4.Format(v) : throw Fail(path, text, "is not a unicast IPv4 address");
    }

    private static string ParseHost(string text, string path) =>
        HostNames.CheckHost(text) is { } why ? throw Fail(path, text, why) : text.ToLowerInvariant();

    private static string ParseCidr(string text, string path)
    {
        if (text.Equals("any", StringComparison.OrdinalIgnoreCase))
            return "any";
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        var prefix = 32;
        if (!Ipv4.TryParse(addressText, out var address)
            || (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32)))
            throw Fail(path, text, "is not \"any\" or an IPv4 network like 198.18.0.0/24");
        var mask = Ipv4.MaskFromPrefix(prefix);
        if ((address & ~mask) != 0)
            throw Fail(path, text, $"has host bits set; the network is {Ipv4.Format(address & mask)}/{prefix}");
        return $"{Ipv4.Format(address)}/{prefix}";
    }

    private static bool IsUserName(string text) =>
        text.Length is >= 1 and <= 32
        && (char.IsAsciiLetterLower(text[0]) || text[0] == '_')
        && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    /// <summary>The refusal; a path or value holding characters free text may not is echoed with them escaped (<see cref="TextRules.Escape"/>).</summary>
    public static ConfigValidationException Fail(string path, string? value, string rule) =>
        new(new ValidationError(TextRules.Escape(path), value is null ? null : TextRules.Escape(value), rule));
}
