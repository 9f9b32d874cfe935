namespace Appliance.Ctl;

/// <summary>The keyboard side of a terminal (the process edge). Output goes through CliHost.Out.</summary>
internal interface ITerminal
{
    /// <summary>The next key, not echoed.</summary>
    ConsoleKeyInfo ReadKey();

    /// <summary>While true, Ctrl-C arrives as a key instead of a signal (line editing, secret prompts).</summary>
    bool RawControlC { set; }
}

internal sealed class ConsoleTerminal : ITerminal
{
    public ConsoleKeyInfo ReadKey() => Console.ReadKey(intercept: true);

    public bool RawControlC
    {
        set => Console.TreatControlCAsInput = value;
    }
}
