using Appliance.Daemon.Health;
using Appliance.Daemon.Node;
using Microsoft.Extensions.Hosting;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// Keeps systemd's STATUS= line (`systemctl status applianced`) current: the peer's
/// <see cref="PeerNode.StatusLine"/> ("clustered, 2/2 active, 0 alarms"), led by any watched loop
/// that is stuck. Recomputed when the cluster or the alarms change and every
/// <see cref="RefreshInterval"/> (what no event announces: a loop getting stuck); sent when it differs.
/// </summary>
internal sealed class SystemdStatusReporter(PeerNode node, SystemdLifecycle systemd, Liveness liveness) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    // Many changes before the loop wakes collapse into one recomputation.
    private readonly Cluster.Signal _changed = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        node.Cluster.Changed += _changed.Set;
        node.Logs.Alarms.Changed += _changed.Set;
        try
        {
            string? sent = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                var line = Compose();
                if (line != sent) systemd.NotifyStatus(line);
                sent = line;
                await _changed.WaitAsync(RefreshInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            node.Cluster.Changed -= _changed.Set;
            node.Logs.Alarms.Changed -= _changed.Set;
        }
    }

    private string Compose()
    {
        var stuck = liveness.Stale();
        var line = node.StatusLine();
        return stuck.Count == 0 ? line
            : string.Join(", ", stuck.Select(s => $"{s.Heartbeat.Description} stuck for {s.Age.TotalSeconds:0} s")) + "; " + line;
    }
}
