using System.Buffers;
using System.Globalization;
using System.Text;

namespace Appliance.Daemon.Config;

/// <summary>
/// What free text (descriptions, the SNMP contact, a bridge's user, secrets) may hold. Such text is
/// shown by the CLI and the LCD and written to both logs and to syslog. A control character or a line
/// or paragraph separator (Unicode Cc, Zl, Zp: U+2028 included) starts a line the reader did not
/// expect; a format character (Cf: bidirectional overrides and isolates, zero-width and invisible
/// characters, tag characters) makes what is shown differ from what is stored; half a surrogate pair
/// cannot be written as UTF-8 at all. The joiners U+200C and U+200D are the exception: Persian and
/// Indic scripts and emoji sequences need them, and they neither reorder nor hide text.
/// </summary>
public static class TextRules
{
    /// <summary>Null when the text may be stored, else the rule broken, naming the first code point refused.</summary>
    public static string? Check(string text) => PrintableAscii(text) ? null : Refusals(text).Select(r => r.Rule).FirstOrDefault();

    /// <summary>The text with every refused code point written as &lt;U+XXXX&gt;, for messages that echo a refused value.</summary>
    public static string Escape(string text)
    {
        if (PrintableAscii(text)) return text;
        StringBuilder? escaped = null;
        var done = 0;
        foreach (var (index, length, codePoint, _) in Refusals(text))
        {
            escaped ??= new StringBuilder(text.Length + 16);
            escaped.Append(text, done, index - done).Append('<').Append(codePoint).Append('>');
            done = index + length;
        }
        return escaped is null ? text : escaped.Append(text, done, text.Length - done).ToString();
    }

    /// <summary>
    /// Space to tilde only, which no rule refuses: most text is, and this one vectorized pass spares it
    /// the decoding of each code point (every record a peer sends is checked, issue 19).
    /// </summary>
    private static bool PrintableAscii(string text) => !text.AsSpan().ContainsAnyExceptInRange(' ', '~');

    private static IEnumerable<(int Index, int Length, string CodePoint, string Rule)> Refusals(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != OperationStatus.Done)
            {
                var half = CodePoint(text[i]);
                yield return (i, 1, half, $"contains {half}, half of a surrogate pair");
                i++;
                continue;
            }
            if (Refused(rune) is { } what)
            {
                var codePoint = CodePoint(rune.Value);
                yield return (i, used, codePoint, $"contains {codePoint} ({what})");
            }
            i += used;
        }
    }

    private static string? Refused(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control => "a control character",
        UnicodeCategory.LineSeparator => "a line separator",
        UnicodeCategory.ParagraphSeparator => "a paragraph separator",
        UnicodeCategory.Format when rune.Value is not (ZeroWidthNonJoiner or ZeroWidthJoiner) =>
            "a format character: bidirectional controls and invisible characters are not allowed",
        _ => null,
    };

    private const int ZeroWidthNonJoiner = 0x200C;
    private const int ZeroWidthJoiner = 0x200D;

    private static string CodePoint(int value) => $"U+{value.ToString("X4", CultureInfo.InvariantCulture)}";
}
