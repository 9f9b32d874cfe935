namespace Appliance.Sip;

/// <summary>Character classes and splitting rules of RFC 3261's grammar (section 25.1).</summary>
internal static class SipText
{
    public static bool IsTokenChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
            or '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
            if (!IsTokenChar(c)) return false;
        return true;
    }

    /// <summary>
    /// Splits at <paramref name="separator"/> outside double quotes and angle brackets, so a comma
    /// inside a display name or a URI does not split a header's values.
    /// </summary>
    public static List<string> SplitOutsideQuotes(ReadOnlySpan<char> s, char separator)
    {
        var parts = new List<string>();
        if (s.IsEmpty) return parts;
        bool quoted = false, escaped = false;
        var angle = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (escaped) { escaped = false; continue; }
            if (quoted)
            {
                if (c == '\\') escaped = true;
                else if (c == '"') quoted = false;
                continue;
            }
            if (c == '"') quoted = true;
            else if (c == '<') angle++;
            else if (c == '>' && angle > 0) angle--;
            else if (c == separator && angle == 0)
            {
                parts.Add(s[start..i].ToString());
                start = i + 1;
            }
        }
        if (quoted) throw new SipParseException($"unterminated quoted string in '{Excerpt(s)}'");
        parts.Add(s[start..].ToString());
        return parts;
    }

    /// <summary>At most 60 characters of a value for an error message.</summary>
    public static string Excerpt(ReadOnlySpan<char> s) => s.Length <= 60 ? s.ToString() : string.Concat(s[..57], "...");
}
