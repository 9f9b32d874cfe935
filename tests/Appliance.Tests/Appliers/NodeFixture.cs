using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Appliance.Tests.Support;

namespace Appliance.Tests.Appliers;

/// <summary>
/// An in-process peer (real store in a temp dir, real config model and API handlers) with a HAL
/// of the test's choosing; its appliers run for real. Reopen() stops it and starts a new one on
/// the same data directory, as a daemon restart would.
/// </summary>
internal sealed class NodeFixture : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _dir;
    private readonly bool _ownsDir;
    private readonly Func<string, HalSet> _hal;
    private global::Appliance.Daemon.Store.Store _store = null!;

    public PeerNode Node { get; private set; } = null!;
    public HalSet Hal { get; private set; } = null!;
    public string DataDir => _dir.Path;
    public TempDirectory Dir => _dir;
    public ApplierSet Appliers => Node.Appliers;

    private readonly Func<DaemonOptions, DaemonOptions> _options;

    private NodeFixture(TempDirectory dir, bool ownsDir, Func<string, HalSet> hal, Func<DaemonOptions, DaemonOptions>? options)
    {
        _dir = dir;
        _ownsDir = ownsDir;
        _hal = hal;
        _options = options ?? (o => o);
    }

    /// <summary><paramref name="options"/> adjusts the daemon options (e.g. files an applier writes) at every open.</summary>
    public static NodeFixture Start(Func<string, HalSet>? hal = null, TempDirectory? dir = null, Func<DaemonOptions, DaemonOptions>? options = null)
    {
        var f = new NodeFixture(dir ?? new TempDirectory(), dir is null, hal ?? (d => HalSet.Simulated(d)), options);
        f.Open();
        return f;
    }

    private void Open()
    {
        var data = Path.Combine(_dir.Path, "data");
        _store = global::Appliance.Daemon.Store.Store.Open(data);
        _stopped = false;
        Hal = _hal(data);
        var options = _options(new DaemonOptions { DataDir = data, ApiSocket = Path.Combine(_dir.Path, "api.sock"), InstallRoot = Path.Combine(_dir.Path, "software") });
        Node = new PeerNode(options, _store, TimeProvider.System, Hal);
        Node.Appliers.Start();
    }

    /// <summary>Stops this peer and starts another on the same data directory (keeping the HAL when asked, like the same host).</summary>
    public async Task ReopenAsync(bool keepHal = true)
    {
        var hal = Hal;
        await StopAsync();
        if (keepHal)
        {
            var data = Path.Combine(_dir.Path, "data");
            _store = global::Appliance.Daemon.Store.Store.Open(data);
            _stopped = false;
            Node = new PeerNode(_options(new DaemonOptions { DataDir = data, ApiSocket = Path.Combine(_dir.Path, "api.sock"), InstallRoot = Path.Combine(_dir.Path, "software") }), _store, TimeProvider.System, hal);
            Node.Appliers.Start();
        }
        else Open();
    }

    private bool _stopped;

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await Node.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        _store.Dispose();
    }

    public async Task<JsonNode?> Call(string cmd, JsonObject? args = null)
    {
        Assert.True(Node.Router.TryGet(cmd, out var handler), $"no command {cmd}");
        return await handler(new ApiRequest(cmd, args ?? [], "admin", "test"), CancellationToken.None).WaitAsync(Timeout);
    }

    /// <summary>Sets a field and keeps it (a network setting is confirmed: NetworkWindow).</summary>
    public async Task<JsonNode?> Set(string path, params string[] values)
    {
        var result = await Call("config.set", new JsonObject { ["path"] = path, ["values"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()) });
        if (result?["confirmBy"] is not null) await Call("config.confirm");
        return result;
    }

    public async Task<ApplierStatus> Settled(Applier applier, Func<ApplierStatus, bool>? until = null)
    {
        ApplierStatus status = applier.Status;
        await Eventually(() => (status = applier.Status).State != ApplierStatus.Pending && (until?.Invoke(status) ?? true),
            () => $"{applier.Name}: {applier.Status}");
        return status;
    }

    public static async Task Eventually(Func<bool> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"condition not met in time: {describe()}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDir) _dir.Dispose();
    }
}
