using System.Security.Cryptography;

namespace Appliance.Tests.Harness;

/// <summary>
/// Test hosts made of network namespaces, each joined by a veth pair to a bridge that lives in
/// its own "switch" namespace, so the machine's own interfaces, routes and firewall are never
/// touched. Addresses come from 198.18.0.0/24 (part of the benchmarking range 198.18.0.0/15);
/// every network has its own namespaces, so parallel runs reuse the same addresses without meeting.
/// Names carry the creating process id, which lets a later run remove what a killed run left.
/// </summary>
public sealed partial class TestNetwork : IAsyncDisposable
{
    public const string Prefix = "aplh";
    public const string Subnet = "198.18.0";
    public const int PrefixLength = 24;
    private readonly List<TestHost> _hosts = [];
    private readonly List<string> _namespaces = [];
    private readonly Action<string> _log;
    private int _nextSwitchAddress = 200;

    public string RunId { get; }
    public string SwitchNamespace { get; }
    public string Bridge => "br0";
    public IReadOnlyList<TestHost> Hosts => _hosts;

    private TestNetwork(string runId, Action<string> log)
    {
        RunId = runId;
        SwitchNamespace = $"{runId}-sw";
        _log = log;
    }

    public static async Task<TestNetwork> CreateAsync(Action<string>? log = null)
    {
        await RemoveLeftoversAsync(log).ConfigureAwait(false);
        var id = $"{Prefix}{Environment.ProcessId}x{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var network = new TestNetwork(id, log ?? (_ => { }));
        try
        {
            await network.AddNamespaceAsync(network.SwitchNamespace).ConfigureAwait(false);
            await HostCommand.Ip("-n", network.SwitchNamespace, "link", "add", network.Bridge, "type", "bridge").ConfigureAwait(false);
            // No STP and no forwarding delay: a port forwards as soon as it is up.
            await HostCommand.Ip("-n", network.SwitchNamespace, "link", "set", network.Bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0").ConfigureAwait(false);
            await HostCommand.Ip("-n", network.SwitchNamespace, "link", "set", network.Bridge, "up").ConfigureAwait(false);
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return network;
    }

    /// <summary>Adds host NAME with address 198.18.0.(11 + index) unless one is given.</summary>
    public async Task<TestHost> AddHostAsync(string name, string? address = null)
    {
        address ??= $"{Subnet}.{11 + _hosts.Count}";
        var ns = $"{RunId}-{name}";
        var port = $"v{_hosts.Count}{name}";
        if (port.Length > 15) throw new ArgumentException($"host name '{name}' is too long for an interface name", nameof(name));
        await AddNamespaceAsync(ns).ConfigureAwait(false);
        await HostCommand.Ip("link", "add", port, "netns", SwitchNamespace, "type", "veth", "peer", "name", "eth0", "netns", ns).ConfigureAwait(false);
        await HostCommand.Ip("-n", SwitchNamespace, "link", "set", port, "master", Bridge, "up").ConfigureAwait(false);
        await HostCommand.Ip("-n", ns, "addr", "add", $"{address}/{PrefixLength}", "dev", "eth0").ConfigureAwait(false);
        await HostCommand.Ip("-n", ns, "link", "set", "eth0", "up").ConfigureAwait(false);
        var host = new TestHost(name, ns, address, "eth0", port);
        _hosts.Add(host);
        _log($"network: host {host}, switch port {port}");
        return host;
    }

    /// <summary>An extra address on the bridge itself, for processes the harness runs in the switch (relays).</summary>
    public async Task<string> AddSwitchAddressAsync()
    {
        var address = $"{Subnet}.{_nextSwitchAddress++}";
        await HostCommand.Ip("-n", SwitchNamespace, "addr", "add", $"{address}/{PrefixLength}", "dev", Bridge).ConfigureAwait(false);
        return address;
    }

    public Task<string> ExecAsync(TestHost host, params string[] command) =>
        HostCommand.RunAsync("ip", ["netns", "exec", host.Namespace, .. command]);

    private async Task AddNamespaceAsync(string ns)
    {
        await HostCommand.Ip("netns", "add", ns).ConfigureAwait(false);
        _namespaces.Add(ns);
        await HostCommand.Ip("-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
    }

    /// <summary>Kills whatever still runs inside the namespaces, then deletes them (which deletes their veths and nft tables).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var ns in Enumerable.Reverse(_namespaces)) await DeleteNamespaceAsync(ns, _log).ConfigureAwait(false);
        _namespaces.Clear();
    }
}
