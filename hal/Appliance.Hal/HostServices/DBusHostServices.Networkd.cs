namespace Appliance.Hal.HostServices;

public sealed partial class DBusHostServices
{
    // systemd-networkd's manager object (org.freedesktop.network1(5), systemd 252): Reload() and
    // ReconfigureLink(in i ifindex). Kept here rather than in DBusNames: only these two calls use them.
    private const string Network1 = "org.freedesktop.network1";
    private const string Network1Path = "/org/freedesktop/network1";
    private const string Network1Manager = "org.freedesktop.network1.Manager";

    /// <summary>Asks systemd-networkd to read its <c>.network</c> files again (Manager.Reload).</summary>
    public Task ReloadNetworkdAsync(CancellationToken cancellationToken = default) =>
        CallAsync("network1 Reload", Network1, cancellationToken, connection =>
        {
            using var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(Network1, Network1Path, Network1Manager, "Reload");
            return writer.CreateMessage();
        });

    /// <summary>
    /// Asks systemd-networkd to apply its configuration to one link again (Manager.ReconfigureLink):
    /// after a reload networkd re-applies only links whose matching file changed, while an address
    /// someone removed by hand needs the link reconfigured as well.
    /// </summary>
    /// <param name="interfaceIndex">The kernel's interface index of the link.</param>
    /// <param name="cancellationToken">Cancels the wait for the reply.</param>
    public Task ReconfigureLinkAsync(int interfaceIndex, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        return CallAsync($"network1 ReconfigureLink {interfaceIndex}", Network1, cancellationToken, connection =>
        {
            using var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(Network1, Network1Path, Network1Manager, "ReconfigureLink", "i");
            writer.WriteInt32(interfaceIndex);
            return writer.CreateMessage();
        });
    }
}
