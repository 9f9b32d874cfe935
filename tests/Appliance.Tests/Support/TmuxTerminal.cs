using System.Diagnostics;

namespace Appliance.Tests.Support;

/// <summary>
/// A real terminal for a program, as a person at an SSH session has one: a tmux server of its own
/// (its socket in a temp directory) running the program in a pane of a fixed size. The test types
/// keys with <see cref="TypeAsync"/> and reads the screen with <see cref="WaitForAsync"/>; stdin and
/// stdout of the program are the pane's pty, so it sees a terminal exactly as it would over SSH.
/// </summary>
public sealed class TmuxTerminal : IAsyncDisposable
{
    public static readonly TimeSpan ScreenTimeout = TimeSpan.FromSeconds(30);
    private readonly string _socket;
    private readonly Action<string>? _log;

    private TmuxTerminal(string socket, Action<string>? log)
    {
        _socket = socket;
        _log = log;
    }

    /// <summary>Starts <paramref name="command"/> (argv) in a new pane of <paramref name="columns"/> x <paramref name="rows"/>.</summary>
    public static async Task<TmuxTerminal> StartAsync(string directory, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment,
        Action<string>? log = null, int columns = 100, int rows = 40)
    {
        var terminal = new TmuxTerminal(Path.Combine(directory, "tmux.sock"), log);
        List<string> args = ["new-session", "-d", "-s", "t", "-x", columns.ToString(), "-y", rows.ToString()];
        foreach (var (name, value) in environment)
            args.AddRange(["-e", $"{name}={value}"]);
        // remain-on-exit keeps the last screen readable after the program ended.
        args.AddRange(["--", .. command]);
        await terminal.TmuxAsync(args);
        await terminal.TmuxAsync(["set-option", "-t", "t", "remain-on-exit", "on"]);
        return terminal;
    }

    /// <summary>Types <paramref name="text"/> literally, then Enter unless told otherwise.</summary>
    public async Task TypeAsync(string text, bool enter = true)
    {
        if (text.Length > 0)
            await TmuxAsync(["send-keys", "-t", "t", "-l", text]);
        if (enter)
            await TmuxAsync(["send-keys", "-t", "t", "Enter"]);
    }

    /// <summary>The whole pane, its scrollback included, as lines.</summary>
    public async Task<string> ScreenAsync() => await TmuxAsync(["capture-pane", "-p", "-J", "-t", "t", "-S", "-2000"]);

    /// <summary>Waits until the screen shows <paramref name="text"/> <paramref name="count"/> times; fails with the screen.</summary>
    public async Task<string> WaitForAsync(string text, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? ScreenTimeout;
        while (true)
        {
            var screen = await ScreenAsync();
            if (Occurrences(screen, text) >= count)
                return screen;
            if (deadline.Elapsed > limit)
                throw new Xunit.Sdk.XunitException($"the terminal did not show \"{text}\" ({count}x) within {limit.TotalSeconds:0} s; the screen:\n{screen}");
            await Task.Delay(100);
        }
    }

    public static int Occurrences(string screen, string text)
    {
        var n = 0;
        for (var i = screen.IndexOf(text, StringComparison.Ordinal); i >= 0; i = screen.IndexOf(text, i + text.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    private async Task<string> TmuxAsync(IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(_socket);
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("/dev/null");
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(ScreenTimeout);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _log?.Invoke("last screen:\n" + await ScreenAsync());
            await TmuxAsync(["kill-server"]);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // The server is gone already.
        }
    }
}
