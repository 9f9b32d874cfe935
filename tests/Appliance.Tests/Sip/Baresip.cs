using System.Collections.Concurrent;
using System.Diagnostics;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// The real baresip (Debian's) as an endpoint: no sound card (aubridge for source and player, G.711),
/// commands on stdin (the stdio and menu modules), what it says kept from stdout. Disposing quits it.
/// </summary>
internal sealed class Baresip : IAsyncDisposable
{
    public const string Program = "/usr/bin/baresip";

    private const string Config = """
        poll_method		epoll
        sip_listen		127.0.0.1:0
        audio_player		aubridge,x
        audio_source		aubridge,x
        audio_alert		aubridge,x
        video_source		nil
        module_path		/usr/lib/baresip/modules
        module			stdio.so
        module			g711.so
        module			aubridge.so
        module_app		account.so
        module_app		menu.so
        """;

    private readonly TempDirectory _dir = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Process _process;

    /// <summary>Starts it on <paramref name="address"/> (in network namespace <paramref name="ns"/> when given) and dials <paramref name="uri"/> at once.</summary>
    public Baresip(string uri, string address = "127.0.0.1", string? ns = null)
    {
        File.WriteAllText(_dir["config"], Config.Replace("        ", "", StringComparison.Ordinal).Replace("127.0.0.1:0", $"{address}:0", StringComparison.Ordinal));
        File.WriteAllText(_dir["accounts"], $"<sip:baresip@{address}>;regint=0\n");
        var start = new ProcessStartInfo(ns is null ? Program : "ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = ["-f", _dir.Path, "-e", $"/dial {uri}"];
        foreach (var a in ns is null ? args : ["netns", "exec", ns, Program, .. args]) start.ArgumentList.Add(a);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _lines);

    public Task WaitForAsync(string text, TimeSpan timeout) =>
        Eventually.WaitUntil(() => Task.FromResult(Output.Contains(text, StringComparison.Ordinal)), timeout, $"baresip says '{text}'", () => Task.FromResult(Output));

    public async Task CommandAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) await CommandAsync("/quit");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException) { }
        await ChildProcesses.KillAsync(_process);
        _process.Dispose();
        _dir.Dispose();
    }
}
