using System.Globalization;

namespace Appliance.Daemon.Config;

/// <summary>
/// Strict dotted-quad IPv4 handling. IPAddress.TryParse accepts "1", "0x7f.1" and octal-looking
/// forms; an operator typing those almost certainly made a mistake, so only a.b.c.d is taken.
/// </summary>
public static class Ipv4
{
    public static bool TryParse(string? text, out uint value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
            return false;
        var parts = text.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit))
                return false;
            if (part.Length > 1 && part[0] == '0')
                return false; // leading zeros read as octal by some tools
            var octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
                return false;
            value = (value << 8) | (uint)octet;
        }
        return true;
    }

    public static string Format(uint value) =>
        $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";

    /// <summary>A host address: not 0.x.x.x, not multicast/reserved (224+). Loopback is allowed: tests use it.</summary>
    public static bool IsUnicast(uint value) => (value >> 24) is not 0 and < 224;

    public static uint MaskFromPrefix(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);

    /// <summary>The prefix length of a contiguous mask, or -1 when the ones are not contiguous.</summary>
    public static int PrefixLength(uint mask)
    {
        var prefix = System.Numerics.BitOperations.LeadingZeroCount(~mask);
        return MaskFromPrefix(prefix) == mask ? prefix : -1;
    }

    /// <summary>Accepts "255.255.255.0", "24" or "/24".</summary>
    public static bool TryParseMask(string text, out uint mask, out string why)
    {
        why = "";
        var t = text.StartsWith('/') ? text[1..] : text;
        if (t.Length is > 0 and <= 2 && t.All(char.IsAsciiDigit))
        {
            var prefix = int.Parse(t, CultureInfo.InvariantCulture);
            mask = MaskFromPrefix(Math.Clamp(prefix, 0, 32));
            if (prefix is >= 1 and <= 32)
                return true;
            why = "is not a prefix length from 1 to 32";
            return false;
        }
        if (!TryParse(text, out mask))
        {
            why = "is not a dotted net mask like 255.255.255.0";
            return false;
        }
        if (PrefixLength(mask) < 1)
        {
            why = mask == 0 ? "is not a usable net mask (no network bits)" : "is not a contiguous net mask";
            return false;
        }
        return true;
    }
}
