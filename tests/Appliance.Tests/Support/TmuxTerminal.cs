using Appliance.Tests.Harness;

namespace Appliance.Tests.Support;

/// <summary>
/// A program in a real terminal: a private tmux server (its own -L socket) with one window of a
/// fixed size, keys typed with send-keys and the screen read with capture-pane, as a person at
/// an SSH terminal would type and read. Disposing ends that tmux server only.
/// </summary>
public sealed class TmuxTerminal : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private readonly string _server = $"appl-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32];

    /// <summary>How long a test waits for the screen by default.</summary>
    public static readonly TimeSpan ScreenTimeout = TimeSpan.FromSeconds(30);
    private Action<string>? _log;

    private TmuxTerminal() { }

    public int Columns { get; private init; }

    /// <summary>
    /// Starts <paramref name="argv"/> (with <paramref name="environment"/>) in a COLUMNS x ROWS window;
    /// <paramref name="log"/> gets the last screen when the terminal is disposed.
    /// </summary>
    public static async Task<TmuxTerminal> StartAsync(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment,
        int columns = 80, int rows = 50, Action<string>? log = null)
    {
        var t = new TmuxTerminal { Columns = columns, _log = log };
        // `; sleep` keeps the pane (and what it showed) after the program ends, for the failure message.
        var command = string.Join(' ', ["env", .. environment.Select(kv => Quote($"{kv.Key}={kv.Value}")), .. argv.Select(Quote)]) + "; sleep 600";
        await t.Tmux("new-session", "-d", "-s", "t", "-x", $"{columns}", "-y", $"{rows}", command);
        return t;
    }

    /// <summary>tmux key names (Tab, Enter, C-u) or literal text.</summary>
    public Task Keys(params string[] keys) => Tmux(["send-keys", "-t", "t", .. keys]);

    /// <summary>Text typed as it is (no key names), e.g. a line with a `?`.</summary>
    public Task Type(string text) => Tmux("send-keys", "-t", "t", "-l", text);

    /// <summary>Types <paramref name="text"/> as it is, then Enter unless told otherwise.</summary>
    public async Task TypeAsync(string text, bool enter = true)
    {
        if (text.Length > 0) await Type(text);
        if (enter) await Keys("Enter");
    }

    /// <summary>Everything the window showed (history too), wrapped lines joined back: a line longer
    /// than the window shows here as it was written.</summary>
    public async Task<string> ScreenAsync() => await Tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t");

    /// <summary>Waits until the screen holds <paramref name="text"/> <paramref name="times"/> times; returns the screen.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout, int times = 1)
    {
        var screen = "";
        await Eventually.WaitUntil(async () => Occurrences(screen = await ScreenAsync(), text) >= times, timeout,
            $"'{text}' on the terminal ({times}x)", () => Task.FromResult(screen));
        return screen;
    }

    /// <summary>Waits until the screen holds <paramref name="text"/> <paramref name="count"/> times (<see cref="ScreenTimeout"/> unless told).</summary>
    public Task<string> WaitForAsync(string text, int count = 1, TimeSpan? timeout = null) => WaitForAsync(text, timeout ?? ScreenTimeout, count);

    public async ValueTask DisposeAsync()
    {
        if (_log is not null)
        {
            try { _log("last screen:\n" + await ScreenAsync()); }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException) { } // the server is gone already
        }
        await HostCommand.TryRunAsync("tmux", ["-L", _server, "kill-server"]);
    }

    /// <summary>How many times <paramref name="needle"/> is on the screen.</summary>
    public static int Occurrences(string haystack, string needle) => haystack.Split(needle).Length - 1;

    private Task<string> Tmux(params string[] args) => HostCommand.RunAsync("tmux", ["-L", _server, .. args], timeout: CommandTimeout);

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
