using System.Collections.Concurrent;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// When a tombstone may go (REPLICATION.md, "Tombstones"): once it is older than the grace period and
/// every member acknowledged it, i.e. the member's version vector, as its Hello and its acks on the
/// streaming link last said, covers the delete's log position (a member holds its own deletes). A
/// member that has not acknowledged a tombstone holds it back until the tombstone is older than the
/// horizon; then it goes anyway, and that member, whose vector is now behind what was purged, is sent
/// to full recovery, which drops its stale copies instead of taking them back.
/// </summary>
public sealed partial class ClusterService
{
    /// <summary>Per peer address: the peer id and the version vector it last told us (Hello, Ack).</summary>
    private readonly ConcurrentDictionary<string, (string PeerId, IReadOnlyDictionary<string, long> Vector)> _acknowledged = new(StringComparer.Ordinal);
    private Task? _purger;
    private string? _compactSkipped;

    public TombstonePolicy Tombstones { get; set; } = TombstonePolicy.Default;

    /// <summary>A peer's version vector, from its Hello or an Ack on our stream to it.</summary>
    internal void Acknowledged(PeerLink link, string peerId, IReadOnlyDictionary<string, long> vector) =>
        _acknowledged[link.Address] = (peerId, vector);

    private async Task RunPurger(CancellationToken ct)
    {
        string? lastError = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tombstones.CheckEvery, Time, ct);
                PurgeOnce();
                lastError = null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (e.Message != lastError) Logs.Event($"tombstone purge: {e.GetType().Name}: {e.Message}", "warning");
                lastError = e.Message;
            }
        }
    }

    /// <summary>One pass: purges what every member acknowledged (or what is past the horizon), then shrinks the file if worth it.</summary>
    internal int PurgeOnce()
    {
        var policy = Tombstones;
        var now = Time.GetUtcNow();
        var members = Members();
        var overdue = new HashSet<string>(StringComparer.Ordinal);
        var purged = Store.PurgeTombstones((origin, seq, hlc) =>
        {
            var age = now - HybridClock.ToTime(hlc);
            if (age < policy.Grace) return false;
            var behind = members.Where(m => m.PeerId != origin && m.Vector.GetValueOrDefault(origin) < seq).ToList();
            if (behind.Count == 0) return true;
            if (age < policy.Horizon) return false;
            foreach (var m in behind) overdue.Add(m.Address);
            return true;
        });
        if (purged > 0)
            Logs.Event($"purged {purged} tombstones" + (overdue.Count == 0 ? "" :
                $"; past the {policy.Horizon.TotalHours:0.##} h horizon without acknowledgement from {string.Join(", ", overdue.Order())}, which will rejoin by full recovery"));
        var before = new FileInfo(Store.FilePath).Length;
        if (Store.CompactIfWorthIt(settled: purged == 0, out var skipped) is { } ms)
            Logs.Event($"store file rebuilt after purging: {before} -> {new FileInfo(Store.FilePath).Length} bytes in {ms:0} ms");
        if (skipped is not null && _compactSkipped is null) Logs.Event($"tombstone purge: {skipped}", "warning"); // once, until it runs again
        _compactSkipped = skipped;
        return purged;
    }

    /// <summary>The other listed peers and what each acknowledged; one never heard from acknowledged nothing.</summary>
    private List<(string Address, string? PeerId, IReadOnlyDictionary<string, long> Vector)> Members()
    {
        var settings = Settings;
        if (!settings.Clustered) return [];
        var own = _info.OwnAddress();
        return settings.Peers.Where(p => p != own).Select(address =>
        {
            var linkPeer = Links.FirstOrDefault(l => l.Address == address)?.PeerId;
            return _acknowledged.TryGetValue(address, out var a) && a.PeerId == linkPeer
                ? (address, a.PeerId, a.Vector)
                : (address, (string?)null, (IReadOnlyDictionary<string, long>)new Dictionary<string, long>());
        }).ToList();
    }
}

/// <summary>
/// Grace: how old a tombstone every member acknowledged must be before it is purged (a peer restored
/// from a backup taken within it still finds the deletes). Horizon: how long a member that does not
/// acknowledge is waited for; past it, that member rejoins by full recovery.
/// </summary>
public sealed record TombstonePolicy(TimeSpan Grace, TimeSpan Horizon)
{
    public static readonly TombstonePolicy Default = new(TimeSpan.FromHours(24), TimeSpan.FromDays(7));

    /// <summary>How often the purger looks: a quarter of the grace, between 1 s and a minute.</summary>
    public TimeSpan CheckEvery => TimeSpan.FromTicks(Math.Clamp(Grace.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
}
