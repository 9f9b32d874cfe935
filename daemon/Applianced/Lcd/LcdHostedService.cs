using Appliance.Hal.Lcd;
using Microsoft.Extensions.Hosting;

namespace Appliance.Daemon.Lcd;

/// <summary>Thin host adapter: runs <see cref="LcdService"/> with the daemon and closes the panel on shutdown.</summary>
public sealed class LcdHostedService(LcdService service, IFrontPanel panel) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => service.StartAsync(cancellationToken);

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await service.StopAsync(cancellationToken);
        await panel.DisposeAsync();
    }
}
