using Appliance.Daemon.Node;
using Microsoft.Extensions.Hosting;

namespace Appliance.Daemon.Hosting;

/// <summary>Thin adapter: the generic host starts and stops the peer.</summary>
internal sealed class PeerHostedService(PeerNode node, IHostApplicationLifetime lifetime, SelfRestart restart) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        node.RequestRestart = () =>
        {
            restart.Requested = true;
            lifetime.StopApplication();
        };
        await node.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => node.StopAsync(cancellationToken);
}
