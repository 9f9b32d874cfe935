using System.Net;
using System.Net.Sockets;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Maintenance;

/// <summary>One line of `cluster check`.</summary>
public sealed record CheckResult(string Check, string State, string Detail)
{
    public const string Ok = "ok";
    public const string Fail = "fail";
    public const string Warn = "warn";
}

/// <summary>
/// `appliancectl cluster check` (R5, R13): the prerequisites of clustering and what still blocks
/// (re-)clustering, each as ok / fail / warn with the detail an operator acts on. Read-only.
/// </summary>
public sealed class ClusterCheck(ClusterService cluster, ConfigStore config, Func<ConfigContext> context, LicenceService licences,
    Func<string?> ownAddress, int recoveryPort, string version)
{
    public const double MaxRttMs = 30;

    /// <summary>systemd-timesyncd creates this file once the clock is synchronized.</summary>
    internal string TimesyncFlag { get; init; } = "/run/systemd/timesync/synchronized";

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken ct)
    {
        var ctx = context();
        var results = new List<CheckResult> { Ntp(), Dns(), HostAndDomain(), SameHostName(ctx), Licence(), Addresses(ctx), Rendezvous(ctx), LocationAddresses(ctx) };
        results.AddRange(cluster.Strangers().Select(s => new CheckResult($"listed by {s.Address}", CheckResult.Fail, ClusterService.StrangerText(s))));
        var settings = cluster.Settings;
        var links = cluster.Links;
        if (!settings.Clustered)
        {
            results.Add(new("cluster", CheckResult.Ok, "standalone: no key or no peers set"));
            var held = config.Store.PeerScopes().Count(s => s != config.OwnScope);
            results.Add(new("stale peers", held > 0 ? CheckResult.Warn : CheckResult.Ok,
                held > 0 ? $"records of {held} other peer(s) are still held from an earlier cluster; the other peers must remove this peer's address before it joins again"
                         : "no other peer's records held"));
            return results;
        }
        results.Add(new("peer count", settings.Peers.Count switch { > 3 => CheckResult.Fail, 3 => CheckResult.Warn, _ => CheckResult.Ok },
            $"{settings.Peers.Count} peers configured (at most 3, 2 recommended)"));
        var own = ownAddress();
        results.Add(own is not null && settings.Peers.Contains(own)
            ? new("own address listed", CheckResult.Ok, $"{own} is in the peer list")
            : new("own address listed", CheckResult.Fail, $"this peer's address {own ?? "(none)"} is not in the peer list {string.Join(" ", settings.Peers)}"));
        foreach (var link in links.OrderBy(l => l.Address, StringComparer.Ordinal))
        {
            var name = $"peer {link.Address}";
            results.Add(link.Reason switch
            {
                PeerReasons.VersionMismatch => new(name + " version", CheckResult.Fail, $"{link.Status()}; this peer runs {version}: all peers must run the same version"),
                PeerReasons.PeerListMismatch => new(name + " peer list", CheckResult.Fail, "lists other peers than this one (stale or unfinished peer lists)"),
                null when link.Active => new(name, CheckResult.Ok, $"active as {link.HostName}, version {link.RemoteVersion}"),
                _ => new(name, CheckResult.Fail, link.Status()),
            });
            if (link.RttMs is { } rtt)
                results.Add(new(name + " rtt", rtt <= MaxRttMs ? CheckResult.Ok : CheckResult.Fail, $"{rtt:0.0} ms (limit {MaxRttMs} ms)"));
            results.Add(new(name + " 4372", link.Active ? CheckResult.Ok : CheckResult.Fail,
                link.Active ? "replication connected" : "no replication connection"));
            results.Add(await Reachable(name + " 4371", link.Address, recoveryPort, ct));
        }
        return results;
    }

    private CheckResult Ntp()
    {
        if (File.Exists(TimesyncFlag)) return new("ntp", CheckResult.Ok, "clock synchronized (systemd-timesyncd)");
        if (Directory.Exists(Path.GetDirectoryName(TimesyncFlag))) return new("ntp", CheckResult.Fail, "clock not synchronized yet");
        return new("ntp", CheckResult.Warn, "unknown: no time synchronization status on this host");
    }

    private CheckResult Dns()
    {
        var servers = config.Read("dns")["servers"]?.AsArray().Count ?? 0;
        return servers > 0 ? new("dns", CheckResult.Ok, $"{servers} DNS server(s)") : new("dns", CheckResult.Fail, "no DNS server set (config set dns.servers ...)");
    }

    private CheckResult HostAndDomain()
    {
        var system = config.Read("system");
        var host = system["hostname"]?.GetValue<string>();
        var domain = system["domain"]?.GetValue<string>();
        return string.IsNullOrEmpty(host) || string.IsNullOrEmpty(domain)
            ? new("host name and domain", CheckResult.Fail, $"host name {host ?? "(not set)"}, domain {domain ?? "(not set)"}: both must be set")
            : new("host name and domain", CheckResult.Ok, $"{host}.{domain}");
    }

    private CheckResult Licence()
    {
        var own = licences.Own();
        var refusal = LicenceService.Refusal(own, cluster.Settings with { Peers = cluster.Settings.Peers.Count > 1 ? cluster.Settings.Peers : ["", ""] });
        return refusal is null
            ? new("licence", CheckResult.Ok, $"{own.EditionName}: clusters up to {own.MaxPeers} peers")
            : new("licence", CheckResult.Fail, $"clustering not licensed: {refusal}");
    }

    private CheckResult Addresses(ConfigContext ctx)
    {
        var ipv4 = config.Read("ipv4");
        if (ipv4["address"] is null) return new("addresses", CheckResult.Fail, "no LAN address set");
        return Rule("addresses", () => CrossPeerRules.CheckIpv4(ipv4, ctx), "management and additional addresses unique across peers");
    }

    /// <summary>
    /// The guide: each peer has, besides its management address, an additional address of its own for
    /// rendezvous conferences, and the call processor's neighbour zone lists those (one per peer), never
    /// the management addresses. Without one a peer cannot take the calls its zone sends.
    /// </summary>
    private CheckResult Rendezvous(ConfigContext ctx)
    {
        var own = RuleContext.List(config.Read("ipv4"), "additional").ToList();
        if (own.Count == 0)
            return new("rendezvous address", CheckResult.Fail,
                "this peer has no additional address: the call processor's zone needs one per peer for rendezvous conferences, not the management address (config set ipv4.additional ADDRESS)");
        var missing = ctx.OtherPeers.Where(p => p.Index > 0 && (p.Ipv4 is null || !RuleContext.List(p.Ipv4, "additional").Any())).Select(p => p.Label).ToList();
        return missing.Count > 0
            ? new("rendezvous address", CheckResult.Fail, $"{string.Join(", ", missing)} {(missing.Count > 1 ? "have" : "has")} no additional address for rendezvous conferences (set ipv4.additional there)")
            : new("rendezvous address", CheckResult.Ok, $"additional address {string.Join(" ", own)} for rendezvous conferences");
    }

    /// <summary>The guide recommends a host name per peer, so each is told apart: the same one twice is a warning.</summary>
    private CheckResult SameHostName(ConfigContext ctx)
    {
        var host = config.HostName;
        var same = ctx.OtherPeers.Where(p => p.Index > 0 && string.Equals(p.Host, host, StringComparison.OrdinalIgnoreCase)).Select(p => p.Label).ToList();
        return same.Count > 0
            ? new("host name unique", CheckResult.Warn, $"{string.Join(", ", same)} {(same.Count > 1 ? "have" : "has")} this peer's host name {host}; give each peer its own (config set system.hostname)")
            : new("host name unique", CheckResult.Ok, $"no other peer is called {host}");
    }

    private CheckResult LocationAddresses(ConfigContext ctx)
    {
        var items = config.Items("location-addresses");
        foreach (var item in items)
        {
            var location = RuleContext.Text(item, SectionDef.NameField) ?? "";
            var result = Rule("location addresses", () => CrossPeerRules.CheckLocation(location, item, ctx), "");
            if (result.State != CheckResult.Ok) return result;
        }
        return new("location addresses", CheckResult.Ok, items.Count == 0 ? "none set on this peer" : $"{items.Count} location(s): addresses unique across locations and peers");
    }

    private static CheckResult Rule(string name, Action rule, string ok)
    {
        try
        {
            rule();
            return new(name, CheckResult.Ok, ok);
        }
        catch (ConfigValidationException e)
        {
            return new(name, CheckResult.Fail, e.Error.Message);
        }
    }

    private static async Task<CheckResult> Reachable(string name, string address, int port, CancellationToken ct) =>
        await PortProbe.RefusedAsync(address, port, ct) is { } why
            ? new(name, CheckResult.Fail, $"recovery port {port} not reachable: {why}")
            : new(name, CheckResult.Ok, $"recovery port {port} reachable");
}
