using Appliance.Daemon.Logs;

namespace Appliance.Daemon.Cluster;

/// <summary>The alarms clustering raises and lowers (R2, R3, R5).</summary>
internal static class ClusterAlarms
{
    public const double MaxRttMs = 30;
    public const double MaxClockOffsetMs = 1000;
    public const int WeakKeyLength = 12;
    /// <summary>A peer this one does not list names it in its own list (ClusterService.Strangers.cs).</summary>
    public const string ListedByPrefix = "listed-by:";

    public static void Update(ClusterService cluster)
    {
        var alarms = cluster.Logs.Alarms;
        var settings = cluster.Settings;
        alarms.Set("cluster-3-peers", settings.Peers.Count == 3, AlarmRegistry.Warning,
            "3-peer cluster: 2 peers are recommended");
        alarms.Set("cluster-weak-key", settings.Key is { Length: < WeakKeyLength }, AlarmRegistry.Warning,
            $"cluster key shorter than {WeakKeyLength} characters");
        var links = cluster.Links;
        foreach (var link in links)
        {
            alarms.Set($"peer-unreachable:{link.Address}", link.Unreachable, AlarmRegistry.Error, $"peer {link.Address} unreachable");
            var reason = link.Reason;
            alarms.Set($"peer-version-mismatch:{link.Address}", reason == PeerReasons.VersionMismatch, AlarmRegistry.Error,
                $"peer {link.Address}: {link.Status()}");
            alarms.Set($"peer-list-mismatch:{link.Address}", reason == PeerReasons.PeerListMismatch || link.ListDiffers is not null,
                AlarmRegistry.Error, $"peer {link.Address}: peer list mismatch" + (link.ListDiffers is { } how ? $" ({how}; replicating meanwhile)" : ""));
            alarms.Set($"peer-key-mismatch:{link.Address}", reason == PeerReasons.KeyMismatch, AlarmRegistry.Error,
                $"peer {link.Address}: key mismatch");
        }
        foreach (var stale in alarms.Active().Where(a => a.Id.StartsWith("peer-", StringComparison.Ordinal)))
        {
            var address = stale.Id[(stale.Id.IndexOf(':') + 1)..];
            if (links.All(l => l.Address != address)) alarms.Lower(stale.Id);
        }
        var strangers = cluster.Strangers();
        foreach (var s in strangers) alarms.Set(ListedByPrefix + s.Address, true, AlarmRegistry.Warning, ClusterService.StrangerText(s));
        foreach (var gone in alarms.Active().Where(a => a.Id.StartsWith(ListedByPrefix, StringComparison.Ordinal)))
        {
            if (strangers.All(s => ListedByPrefix + s.Address != gone.Id)) alarms.Lower(gone.Id);
        }
    }

    public static void Measured(AlarmRegistry alarms, PeerLink link)
    {
        alarms.Set($"peer-rtt:{link.Address}", link.RttMs > MaxRttMs, AlarmRegistry.Warning,
            $"round trip to {link.Address} is {link.RttMs:0.0} ms (limit {MaxRttMs} ms)");
        alarms.Set($"peer-clock:{link.Address}", Math.Abs(link.ClockOffsetMs ?? 0) > MaxClockOffsetMs, AlarmRegistry.Warning,
            $"clock of {link.Address} is off by {link.ClockOffsetMs:0} ms (limit {MaxClockOffsetMs} ms)");
    }
}
