using System.Text;

namespace Appliance.Ctl;

/// <summary>Splits an interactive line into words. Double quotes group words ("a b"), a backslash
/// inside quotes escapes \" and \\. Nothing else is special: no variables, globs or `!`, because the
/// line never reaches a shell.</summary>
internal static class Tokenizer
{
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"')
                    quoted = false;
                else if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                    word.Append(line[++i]);
                else
                    word.Append(c);
            }
            else if (c == '"')
            {
                quoted = true;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quoted)
            throw new UsageException("a double quote is not closed");
        if (inWord)
            words.Add(word.ToString());
        return words;
    }
}
