using System.Text;

namespace Appliance.Ctl;

/// <summary>Reads a secret from the terminal without echoing anything, not even stars (or, with echo, a plain answer).</summary>
internal static class SecretPrompt
{
    /// <summary>Asks twice, since a typo can be neither seen nor read back: the text, null when cancelled,
    /// "" when the first entry is empty (for the caller to refuse); throws <paramref name="differ"/>
    /// when the entries differ.</summary>
    public static string? ReadTwice(ITerminal terminal, TextWriter prompt, string label, UsageException differ)
    {
        var first = Read(terminal, prompt, label + ": ");
        if (first is null or { Length: 0 })
            return first;
        var again = Read(terminal, prompt, label + " again: ");
        if (again is null)
            return null;
        return first == again ? first : throw differ;
    }

    /// <summary>The text typed, or null on Ctrl-C / Ctrl-D / Escape. With <paramref name="echo"/> what is typed shows (a y/N answer).</summary>
    public static string? Read(ITerminal terminal, TextWriter prompt, string label, bool echo = false)
    {
        prompt.Write(label);
        prompt.Flush();
        var text = new StringBuilder();
        terminal.RawControlC = true;
        try
        {
            while (true)
            {
                var key = terminal.ReadKey();
                if (key.Key == ConsoleKey.Enter)
                    break;
                if (key.Key == ConsoleKey.Escape || key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key is ConsoleKey.C or ConsoleKey.D)
                {
                    prompt.WriteLine();
                    return null;
                }
                if (key.Key == ConsoleKey.Backspace)
                {
                    if (text.Length == 0)
                        continue;
                    text.Length--;
                    Echo(prompt, echo, "\b \b");
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    text.Append(key.KeyChar);
                    Echo(prompt, echo, key.KeyChar.ToString());
                }
            }
        }
        finally
        {
            terminal.RawControlC = false;
        }
        prompt.WriteLine();
        return text.ToString();
    }

    private static void Echo(TextWriter prompt, bool echo, string text)
    {
        if (!echo)
            return;
        prompt.Write(text);
        prompt.Flush();
    }
}
