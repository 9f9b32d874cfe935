using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Crypto;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Maintenance;
using Appliance.Daemon.Node;
using Appliance.Tests.Support;

namespace Appliance.Tests.Maintenance;

/// <summary>
/// One in-process peer (real store file, real API router, real cluster sockets on 127.0.0.x) with
/// a restart that does what the daemon's Program does: stop, swap a staged restore, open, start.
/// </summary>
internal sealed class TestPeer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public DaemonOptions Options { get; }
    public PeerNode Node { get; private set; } = null!;
    public int Restarts { get; private set; }
    public TaskCompletionSource RestartRequested { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestPeer(string serial, string? bind = null, int port = 0, string? version = null)
    {
        Options = new DaemonOptions
        {
            DataDir = _dir["data"],
            ApiSocket = _dir["api.sock"],
            Hal = "simulated",
            Serial = serial,
            Bind = bind,
            ReplicationPort = port == 0 ? 4372 : port,
            RecoveryPort = port == 0 ? 4371 : port + 1,
            InstallRoot = _dir["opt"],
            ReportVersion = version,
        };
    }

    public string Dir(string name) => _dir[name];

    public static async Task<TestPeer> StartAsync(string serial, string? bind = null, int port = 0, string? version = null)
    {
        var peer = new TestPeer(serial, bind, port, version);
        await peer.OpenAsync();
        return peer;
    }

    private async Task OpenAsync()
    {
        var store = Daemon.Store.Store.Open(Options.DataDir);
        Node = new PeerNode(Options, store, TimeProvider.System);
        Node.Maintenance.Backups.Kdf = BackupKdf.Argon2id(Argon2Cost.Minimum); // the real KDF at its cheapest: keeps the tests fast
        Node.Maintenance.Upgrades.StartWatchdog = false; // it would watch (and kill) the test runner
        Node.RequestRestart = () => RestartRequested.TrySetResult();
        await Node.StartAsync(CancellationToken.None).WaitAsync(Timeout);
    }

    /// <summary>As Program.Main around a restart: the store closes, a staged restore is swapped in, it opens again.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        RestoreSwap.CompletePending(Options.DataDir, _ => { });
        RestartRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Restarts++;
        await OpenAsync();
    }

    private async Task StopAsync()
    {
        await Node.DisposeAsync().AsTask().WaitAsync(Timeout);
        Node.Store.Dispose();
    }

    public async Task<JsonObject> CallAsync(string cmd, JsonObject? args = null)
    {
        Assert.True(Node.Router.TryGet(cmd, out var handler), $"no command {cmd}");
        var result = await handler(new ApiRequest(cmd, args ?? [], "test", "test"), CancellationToken.None).WaitAsync(Timeout);
        return result!.AsObject();
    }

    public async Task<ApiException> RefusedAsync(string cmd, JsonObject? args = null) =>
        await Assert.ThrowsAsync<ApiException>(() => CallAsync(cmd, args));

    /// <summary>A command that takes an upload, as the server runs it: the precheck, then the handler reading <paramref name="data"/>.</summary>
    public async Task<JsonObject> UploadAsync(string cmd, JsonObject? args, byte[] data)
    {
        Assert.True(Node.Router.TryGetUpload(cmd, out var route), $"no upload command {cmd}");
        var request = new ApiRequest(cmd, args ?? [], "test", "test") { Upload = true };
        await route.Precheck(request, CancellationToken.None).WaitAsync(Timeout);
        var result = await route.Handler(request, new MemoryStream(data), CancellationToken.None).WaitAsync(Timeout);
        return result!.AsObject();
    }

    public async Task<ApiException> UploadRefusedAsync(string cmd, JsonObject? args, byte[] data) =>
        await Assert.ThrowsAsync<ApiException>(() => UploadAsync(cmd, args, data));

    /// <summary>Where the backup that backup.create answered with lies.</summary>
    public string BackupPath(JsonObject created) =>
        Path.Combine(Node.Maintenance.Backups.BackupsDirectory, created["name"]!.GetValue<string>());

    public Task<JsonObject> SetAsync(string path, params string[] values) =>
        CallAsync("config.set", new JsonObject { ["path"] = path, ["values"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()) });

    public async Task<string?> GetAsync(string path) =>
        (await CallAsync("config.get", new JsonObject { ["path"] = path }))["value"]?.ToString();

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (ObjectDisposedException) { }
        _dir.Dispose();
    }
}
