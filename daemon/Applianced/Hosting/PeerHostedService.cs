using Appliance.Daemon.Health;
using Appliance.Daemon.Node;
using Microsoft.Extensions.Hosting;

namespace Appliance.Daemon.Hosting;

/// <summary>Thin adapter: the generic host starts and stops the peer.</summary>
internal sealed class PeerHostedService(PeerNode node, IHostApplicationLifetime lifetime, SelfRestart restart,
    Liveness liveness, SystemdLifecycle systemd) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        node.RequestRestart = () =>
        {
            restart.Requested = true;
            lifetime.StopApplication();
        };
        // Before the loops start, so they go round at the watchdog's pace from their first turn.
        liveness.Watch(node.Heartbeats);
        systemd.NotifyStatus("starting: API and cluster");
        await node.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => node.StopAsync(cancellationToken);
}
