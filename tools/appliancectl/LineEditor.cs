using System.Text;

namespace Appliance.Ctl;

/// <summary>Candidates for the word that starts at <see cref="Start"/> in the text before the cursor.</summary>
internal sealed record Completion(int Start, IReadOnlyList<string> Candidates);

/// <summary>A small readline over ITerminal keys: cursor movement, editing, history and tab
/// completion. Redraws the whole line on each change (lines are short; no wrap handling).</summary>
internal sealed class LineEditor(ITerminal terminal, TextWriter output, History history,
    Func<string, CancellationToken, Task<Completion>>? complete,
    Func<string, CancellationToken, Task<IReadOnlyList<string>>>? help = null)
{
    private readonly StringBuilder _buffer = new();
    private int _cursor;

    /// <summary>The line entered, or null on Ctrl-D at an empty line.</summary>
    public async Task<string?> ReadLineAsync(string prompt, CancellationToken ct)
    {
        _buffer.Clear();
        _cursor = 0;
        var historyIndex = history.Count;
        var draft = "";
        var lastWasTab = false;
        output.Write(prompt);
        output.Flush();
        terminal.RawControlC = true;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var key = terminal.ReadKey();
                var ctrl = key.Modifiers.HasFlag(ConsoleModifiers.Control);
                var isTab = false;
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        output.WriteLine();
                        return _buffer.ToString();
                    case ConsoleKey.D when ctrl && _buffer.Length == 0:
                        output.WriteLine();
                        return null;
                    case ConsoleKey.C when ctrl:
                        output.WriteLine("^C");
                        _buffer.Clear();
                        _cursor = 0;
                        historyIndex = history.Count;
                        break;
                    case ConsoleKey.LeftArrow:
                    case ConsoleKey.B when ctrl:
                        _cursor = Math.Max(0, _cursor - 1);
                        break;
                    case ConsoleKey.RightArrow:
                    case ConsoleKey.F when ctrl:
                        _cursor = Math.Min(_buffer.Length, _cursor + 1);
                        break;
                    case ConsoleKey.Home:
                    case ConsoleKey.A when ctrl:
                        _cursor = 0;
                        break;
                    case ConsoleKey.End:
                    case ConsoleKey.E when ctrl:
                        _cursor = _buffer.Length;
                        break;
                    case ConsoleKey.Backspace:
                        if (_cursor > 0)
                            _buffer.Remove(--_cursor, 1);
                        break;
                    case ConsoleKey.Delete:
                    case ConsoleKey.D when ctrl:
                        if (_cursor < _buffer.Length)
                            _buffer.Remove(_cursor, 1);
                        break;
                    case ConsoleKey.U when ctrl:
                        _buffer.Remove(0, _cursor);
                        _cursor = 0;
                        break;
                    case ConsoleKey.K when ctrl:
                        _buffer.Length = _cursor;
                        break;
                    case ConsoleKey.UpArrow:
                    case ConsoleKey.P when ctrl:
                        if (historyIndex > 0)
                        {
                            if (historyIndex == history.Count)
                                draft = _buffer.ToString();
                            Replace(history[--historyIndex]);
                        }
                        break;
                    case ConsoleKey.DownArrow:
                    case ConsoleKey.N when ctrl:
                        if (historyIndex < history.Count)
                            Replace(++historyIndex == history.Count ? draft : history[historyIndex]);
                        break;
                    case ConsoleKey.Tab:
                        isTab = true;
                        if (complete is not null)
                            await CompleteAsync(prompt, complete, lastWasTab, ct);
                        break;
                    // `?` outside double quotes shows what may come next (as on other appliances); inside them it is text.
                    case var _ when key.KeyChar == '?' && !ctrl && help is not null && !InQuotes():
                        await ShowHelpAsync(prompt, help, ct);
                        break;
                    default:
                        if (!ctrl && key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
                            _buffer.Insert(_cursor++, key.KeyChar);
                        break;
                }
                lastWasTab = isTab;
                Redraw(prompt);
            }
        }
        finally
        {
            terminal.RawControlC = false;
        }
    }

    private void Replace(string text)
    {
        _buffer.Clear().Append(text);
        _cursor = text.Length;
    }

    private async Task CompleteAsync(string prompt, Func<string, CancellationToken, Task<Completion>> complete, bool listAll, CancellationToken ct)
    {
        var before = _buffer.ToString(0, _cursor);
        var (start, candidates) = await complete(before, ct);
        var word = before[start..];
        if (candidates.Count == 0)
            return;
        var common = candidates.Aggregate(CommonPrefix);
        if (candidates.Count == 1 && !common.EndsWith('.') && !common.EndsWith('='))
            common += " ";
        if (common.Length > word.Length)
        {
            _buffer.Insert(_cursor, common[word.Length..]);
            _cursor += common.Length - word.Length;
        }
        else if (listAll && candidates.Count > 1)
        {
            // Second Tab with nothing left to add: show the choices, then the line again.
            output.WriteLine();
            output.WriteLine(string.Join("  ", candidates));
            output.Write(prompt);
        }
    }

    private bool InQuotes() => _buffer.ToString(0, _cursor).Count(c => c == '"') % 2 == 1;

    private async Task ShowHelpAsync(string prompt, Func<string, CancellationToken, Task<IReadOnlyList<string>>> describe, CancellationToken ct)
    {
        var lines = await describe(_buffer.ToString(0, _cursor), ct);
        output.WriteLine("?");
        foreach (var line in lines)
            output.WriteLine(line);
        output.Write(prompt);
    }

    private static string CommonPrefix(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
            n++;
        return a[..n];
    }

    private void Redraw(string prompt)
    {
        var back = _buffer.Length - _cursor;
        output.Write("\r" + prompt + _buffer + "\x1b[K" + (back > 0 ? $"\x1b[{back}D" : ""));
        output.Flush();
    }
}
