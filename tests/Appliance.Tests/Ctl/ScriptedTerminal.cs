using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

/// <summary>Keys typed by a test. Plain text maps to character keys; use the ConsoleKeyInfo
/// overload for arrows and control keys. Running out of keys means Ctrl-D (end of input).</summary>
internal sealed class ScriptedTerminal : ITerminal
{
    private readonly Queue<ConsoleKeyInfo> _keys = new();

    public ScriptedTerminal(string text = "") => Type(text);

    public bool RawControlC { get; set; }

    public ScriptedTerminal Type(string text)
    {
        foreach (var c in text)
            _keys.Enqueue(c switch
            {
                '\n' => new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false),
                '\t' => new ConsoleKeyInfo('\t', ConsoleKey.Tab, false, false, false),
                _ => new ConsoleKeyInfo(c, char.IsAsciiLetter(c) ? (ConsoleKey)char.ToUpperInvariant(c) : ConsoleKey.Oem1, char.IsUpper(c), false, false),
            });
        return this;
    }

    public ScriptedTerminal Press(ConsoleKey key, bool control = false)
    {
        _keys.Enqueue(new ConsoleKeyInfo('\0', key, false, false, control));
        return this;
    }

    public ConsoleKeyInfo ReadKey() =>
        _keys.Count > 0 ? _keys.Dequeue() : new ConsoleKeyInfo('\x04', ConsoleKey.D, false, false, true);
}
