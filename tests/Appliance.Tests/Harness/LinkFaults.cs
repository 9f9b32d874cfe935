namespace Appliance.Tests.Harness;

/// <summary>
/// Cuts and restores connectivity between test hosts. A cut between two hosts is an nft table in
/// each of their namespaces that drops every packet to and from the other one (both sides, so
/// neither sees a reset: a silent partition, like a failed WAN link). Unplugging a host sets its
/// switch port down (the cable pulled). Both are undone by <see cref="RestoreAllAsync"/> and,
/// failing that, vanish with the namespaces.
/// </summary>
public sealed class LinkFaults(TestNetwork network, Action<string>? log = null) : IAsyncDisposable
{
    private readonly HashSet<(TestHost, TestHost)> _cuts = [];
    private readonly HashSet<TestHost> _unplugged = [];
    private readonly HashSet<(TestHost From, TestHost To)> _oneWay = [];

    public async Task CutAsync(TestHost a, TestHost b)
    {
        await HostCommand.NftAsync(a.Namespace, DropScript(CutTable(b), b.Address)).ConfigureAwait(false);
        await HostCommand.NftAsync(b.Namespace, DropScript(CutTable(a), a.Address)).ConfigureAwait(false);
        _cuts.Add((a, b));
        log?.Invoke($"faults: cut {a.Name} <-> {b.Name}");
    }

    public async Task RestoreAsync(TestHost a, TestHost b)
    {
        await HostCommand.NftAsync(a.Namespace, $"delete table ip {CutTable(b)}\n").ConfigureAwait(false);
        await HostCommand.NftAsync(b.Namespace, $"delete table ip {CutTable(a)}\n").ConfigureAwait(false);
        _cuts.Remove((a, b));
        log?.Invoke($"faults: restored {a.Name} <-> {b.Name}");
    }

    /// <summary>
    /// Packets from <paramref name="from"/> to <paramref name="to"/> are dropped (in from's output) and
    /// nothing else: to still reaches from, a one-way fault. <paramref name="match"/> narrows it to
    /// some of those packets (an nft match, "tcp sport 4372": only from's answers on to's own
    /// stream connection). Undone by <see cref="RestoreAllAsync"/>.
    /// </summary>
    public async Task CutOneWayAsync(TestHost from, TestHost to, string match = "")
    {
        await HostCommand.NftAsync(from.Namespace, FilterTable(OneWayTable(to), ("output", $"ip daddr {to.Address} {match} drop"))).ConfigureAwait(false);
        _oneWay.Add((from, to));
        log?.Invoke($"faults: cut {from.Name} -> {to.Name} (one way{(match.Length > 0 ? $", {match}" : "")})");
    }

    public async Task RestoreOneWayAsync(TestHost from, TestHost to)
    {
        await HostCommand.NftAsync(from.Namespace, $"delete table ip {OneWayTable(to)}\n").ConfigureAwait(false);
        _oneWay.Remove((from, to));
        log?.Invoke($"faults: restored {from.Name} -> {to.Name}");
    }

    /// <summary>The host's switch port goes down: no frames in or out, its own interface stays up.</summary>
    public async Task UnplugAsync(TestHost host)
    {
        await HostCommand.Ip("-n", network.SwitchNamespace, "link", "set", host.SwitchPort, "down").ConfigureAwait(false);
        _unplugged.Add(host);
        log?.Invoke($"faults: unplugged {host.Name}");
    }

    public async Task PlugAsync(TestHost host)
    {
        await HostCommand.Ip("-n", network.SwitchNamespace, "link", "set", host.SwitchPort, "up").ConfigureAwait(false);
        _unplugged.Remove(host);
        log?.Invoke($"faults: plugged {host.Name}");
    }

    public async Task RestoreAllAsync()
    {
        foreach (var (a, b) in _cuts.ToList()) await RestoreAsync(a, b).ConfigureAwait(false);
        foreach (var (from, to) in _oneWay.ToList()) await RestoreOneWayAsync(from, to).ConfigureAwait(false);
        foreach (var host in _unplugged.ToList()) await PlugAsync(host).ConfigureAwait(false);
    }

    private static string CutTable(TestHost other) => $"harness_cut_{other.Name}";
    private static string OneWayTable(TestHost to) => $"harness_oneway_{to.Name}";

    private static string DropScript(string table, string address) =>
        FilterTable(table, ("input", $"ip saddr {address} drop"), ("output", $"ip daddr {address} drop"));

    /// <summary>An nft table with one filter chain per hook, each with its one rule, ahead of the daemon's own.</summary>
    private static string FilterTable(string table, params (string Hook, string Rule)[] chains) =>
        $"table ip {table} {{\n" + string.Concat(chains.Select(c =>
            $"    chain {c.Hook} {{\n        type filter hook {c.Hook} priority -10; policy accept;\n        {c.Rule}\n    }}\n")) + "}\n";

    public async ValueTask DisposeAsync()
    {
        try { await RestoreAllAsync().ConfigureAwait(false); }
        catch (HarnessException e) { log?.Invoke($"faults: restore on dispose failed (the namespaces take the rules with them): {e.Message}"); }
    }
}
