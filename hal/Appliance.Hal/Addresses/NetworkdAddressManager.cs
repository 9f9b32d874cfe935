using System.Net;
using Appliance.Hal.HostServices;

namespace Appliance.Hal;

/// <summary>
/// IPv4 addresses through systemd-networkd, so that one program owns the LAN interface: the plan
/// becomes a <c>.network</c> file (<see cref="NetworkdFile"/>) written atomically into
/// <c>/etc/systemd/network</c>, and networkd is asked over D-Bus to reload and reconfigure the link.
/// A networkd restart or a DHCP renewal then keeps what the file says, where addresses added with
/// <c>ip</c> behind networkd's back would fight it. Reads still come from the kernel.
/// </summary>
public sealed class NetworkdAddressManager : IAddressManager
{
    private readonly string _directory;
    private readonly DBusHostServices _bus;
    private readonly string? _networkNamespace;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the manager.</summary>
    /// <param name="directory">Where networkd reads <c>.network</c> files from (the appliance: /etc/systemd/network).</param>
    /// <param name="bus">The system bus client that reaches org.freedesktop.network1.</param>
    /// <param name="networkNamespace">A namespace name (<c>ip netns add</c>) whose interfaces are read, or null for the machine's own.</param>
    public NetworkdAddressManager(string directory, DBusHostServices bus, string? networkNamespace = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(bus);
        NetworkNamespace.Validate(networkNamespace);
        _directory = directory;
        _bus = bus;
        _networkNamespace = networkNamespace;
    }

    /// <summary>The file this manager writes for <paramref name="interfaceName"/>.</summary>
    public string FilePath(string interfaceName) => Path.Combine(_directory, NetworkdFile.FileName(interfaceName));

    /// <inheritdoc />
    public Task<IReadOnlyList<InterfaceAddress>> ReadAsync(string interfaceName, CancellationToken cancellationToken = default) =>
        IpReads.AddressesAsync(_networkNamespace, interfaceName, cancellationToken);

    /// <inheritdoc />
    public Task<IPAddress?> ReadGatewayAsync(string interfaceName, CancellationToken cancellationToken = default) =>
        IpReads.GatewayAsync(_networkNamespace, interfaceName, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// networkd is called only when the file changes or the link lacks what the file says (an
    /// address removed by hand): a reconfigure re-applies the whole link, which is not free.
    /// When networkd cannot be reached the file stays written, so networkd's next start applies
    /// it, and the call fails so the applier reports it and tries again.
    /// </remarks>
    public async Task<AddressReconcileResult> ApplyAsync(string interfaceName, AddressPlan desired, CancellationToken cancellationToken = default)
    {
        var content = NetworkdFile.Render(interfaceName, desired);
        var path = FilePath(interfaceName);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var old = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;
            var live = await ReadAsync(interfaceName, cancellationToken).ConfigureAwait(false);
            var liveGateway = await ReadGatewayAsync(interfaceName, cancellationToken).ConfigureAwait(false);
            var inPlace = content == old
                && desired.AllAddresses.All(live.Contains)
                && (desired.Gateway is null || desired.Gateway.Equals(liveGateway));
            if (inPlace)
                return new AddressReconcileResult([], [], false);

            // Before anything changes: a missing interface fails here with nothing written.
            var index = await IpReads.IndexAsync(_networkNamespace, interfaceName, cancellationToken).ConfigureAwait(false);
            if (content is null)
                File.Delete(path);
            else if (content != old)
                await AtomicFile.WriteAsync(path, content, cancellationToken).ConfigureAwait(false);
            await _bus.ReloadNetworkdAsync(cancellationToken).ConfigureAwait(false);
            await _bus.ReconfigureLinkAsync(index, cancellationToken).ConfigureAwait(false);

            var before = NetworkdFile.Read(old);
            var want = desired.AllAddresses;
            return new AddressReconcileResult(
                want.Where(a => !live.Contains(a)).ToList(),
                before.Addresses.Where(a => !want.Contains(a) && live.Contains(a)).ToList(),
                !Equals(before.Gateway, desired.Gateway) || (desired.Gateway is not null && !desired.Gateway.Equals(liveGateway)));
        }
        finally
        {
            _gate.Release();
        }
    }
}
