using Microsoft.Extensions.Hosting;

namespace Appliance.Daemon.Web;

/// <summary>Thin adapter: the generic host starts the HTTPS pages after the peer and stops them first.</summary>
internal sealed class WebHostedService(WebServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
}
