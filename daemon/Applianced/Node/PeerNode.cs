using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Hosting;

namespace Appliance.Daemon.Node;

/// <summary>
/// One appliance peer, host-agnostic: owns the store, logs, API and the parts bound to them.
/// The generic host only starts and stops it.
/// </summary>
public sealed class PeerNode : IAsyncDisposable
{
    private readonly DaemonOptions _options;
    private readonly TimeProvider _time;
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly ApiServer _api;

    public Store.Store Store { get; }
    public NodeLogs Logs { get; }
    public ApiRouter Router { get; } = new();
    public string Version { get; }

    /// <summary>Set by the host: stop the process and start it again with the same arguments.</summary>
    public Action RequestRestart { get; set; } = () => { };

    public PeerNode(DaemonOptions options, Store.Store store, TimeProvider time)
    {
        _options = options;
        _time = time;
        Store = store;
        Version = options.ReportVersion ?? SoftwareVersion.Current;
        Logs = new NodeLogs(options.DataDir, options.LogCapBytes, time);
        _api = new ApiServer(Router, Logs.Events);
        LogCommands.Register(Router, Logs);
        Router.Add("status", _ => Status());
        Router.Add("restart", r =>
        {
            Logs.Event($"restart requested by {r.User} ({r.Channel})");
            RequestRestart();
            return new JsonObject { ["message"] = "restarting" };
        });
    }

    public Task StartAsync(CancellationToken ct)
    {
        Logs.Event($"applianced {Version} starting as peer {Store.PeerId} (data {_options.DataDir})");
        _api.Start(_options.ApiSocket);
        Logs.Event($"ready: API on {_options.ApiSocket}");
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        Logs.Event("stopping");
        await _api.DisposeAsync();
    }

    private JsonObject Status() => new()
    {
        ["title"] = "status",
        ["host"] = HostName,
        ["peerId"] = Store.PeerId,
        ["version"] = Version,
        ["uptimeSeconds"] = (long)_uptime.Elapsed.TotalSeconds,
        ["cluster"] = "standalone",
        ["alarms"] = Logs.Alarms.Active().Count,
        ["appliers"] = new JsonArray(),
    };

    public string HostName => "appliance";

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();
}
