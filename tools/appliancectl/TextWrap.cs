namespace Appliance.Ctl;

/// <summary>Fits text into a terminal's columns: wrapping at spaces (a word longer than a line is
/// broken where the line ends).</summary>
internal static class TextWrap
{
    /// <summary>The narrowest a wrapped column gets, however deep the indent: below this a value
    /// reads worse wrapped than running past the edge.</summary>
    public const int MinColumn = 20;

    /// <summary>The text in lines of at most <paramref name="width"/> characters (at least one line).</summary>
    public static List<string> Lines(string text, int width)
    {
        width = Math.Max(width, 1);
        var lines = new List<string>();
        var rest = text;
        while (rest.Length > width)
        {
            var space = rest.LastIndexOf(' ', width);
            var (line, next) = space > 0 ? (rest[..space], rest[(space + 1)..]) : (rest[..width], rest[width..]);
            lines.Add(line.TrimEnd());
            rest = next.TrimStart();
        }
        lines.Add(rest);
        return lines;
    }

    /// <summary>Writes <paramref name="head"/> then the text, wrapped so that no line passes
    /// <paramref name="columns"/>; continuation lines start under the text's first character.</summary>
    public static void Hanging(TextWriter w, string head, string text, int? columns, int minColumn = MinColumn)
    {
        var room = columns is { } c ? Math.Max(c - head.Length, minColumn) : int.MaxValue;
        var lines = Lines(text, room);
        w.WriteLine((head + lines[0]).TrimEnd());
        var indent = new string(' ', head.Length);
        foreach (var line in lines.Skip(1))
            w.WriteLine(indent + line);
    }
}
