namespace Appliance.Ctl;

/// <summary>What the CLI runs against: its three streams, the terminal when stdin is one, and the
/// environment. Program passes the real console; tests pass strings and a temp socket.</summary>
internal sealed class CliHost(TextReader input, TextWriter output, TextWriter error)
{
    public TextReader In { get; } = input;
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;

    /// <summary>Set when stdin is a terminal: line editing and no-echo prompts use it.</summary>
    public ITerminal? Terminal { get; init; }

    public Func<string, string?> GetEnv { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Stdin as bytes, for `backup restore -` and `upgrade -` (read only when asked for).</summary>
    public Func<Stream> BinaryIn { get; init; } = Console.OpenStandardInput;

    /// <summary>Stdout as bytes, for `backup download NAME -`.</summary>
    public Func<Stream> BinaryOut { get; init; } = Console.OpenStandardOutput;

    /// <summary>Set when stdout is a terminal: bytes are never written there.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Set when stderr is a terminal: a progress line is drawn there.</summary>
    public bool ErrorIsTerminal { get; init; }

    public InterruptSource Interrupts { get; } = new();

    /// <summary>The width output fits (the terminal's, or $COLUMNS); null: lines as long as they are.</summary>
    public int? Columns { get; init; }

    /// <summary>The terminal's width, else $COLUMNS when set (a script that wants fitted text), else none.</summary>
    public static int? DetectColumns(bool outputIsTerminal, Func<string, string?> getEnv)
    {
        if (getEnv("COLUMNS") is { } text && int.TryParse(text, out var fromEnv) && fromEnv > 0)
            return fromEnv;
        try
        {
            return outputIsTerminal && Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>Ctrl-C stops the running command (a follow stream, a slow call) but not the shell.</summary>
internal sealed class InterruptSource
{
    private readonly Lock _lock = new();
    private CancellationTokenSource? _current;

    public CommandScope Begin(CancellationToken outer)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        lock (_lock)
            _current = cts;
        return new CommandScope(this, cts);
    }

    /// <summary>Cancels the running command; false when none runs (the caller may then exit).</summary>
    public bool Interrupt()
    {
        lock (_lock)
        {
            if (_current is null)
                return false;
            _current.Cancel();
            return true;
        }
    }

    private void End(CancellationTokenSource cts)
    {
        lock (_lock)
        {
            if (_current == cts)
                _current = null;
        }
        cts.Dispose();
    }

    internal sealed class CommandScope(InterruptSource owner, CancellationTokenSource cts) : IDisposable
    {
        public CancellationToken Token { get; } = cts.Token;

        public void Dispose() => owner.End(cts);
    }
}
