using Appliance.Daemon.Bridges;
using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Sip;

/// <summary>
/// The bridge watcher's clean-up of conferences without a record (CONFERENCING.md, "Linger and
/// destroy"): a conference on a usable bridge that carries this cluster's mark
/// (<see cref="ConferenceMark"/>), has no record naming that bridge in the shared status, nobody in it
/// on the bridge and no call of this peer, for <see cref="Grace"/> on end, is destroyed there and
/// logged. Such conferences are left by a peer that restarted after a create, or lost a split while
/// it was down. Only while every cluster member is active (across a partition one side cannot see the
/// other's records, and would destroy its conferences), and only by the active peer whose id sorts first.
/// </summary>
internal sealed class OrphanSweeper(ConfigStore config, Func<BridgeWatcher> bridges, Func<IReadOnlyCollection<string>> activePeers,
    Func<bool> allMembersActive, Func<string, bool> busyHere, NodeLogs logs, TimeProvider time)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longer than a create takes to be followed by its record on every peer, and than a returning
    /// peer's catching up (15 s at most), so a conference whose record is on its way is not taken.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, DateTimeOffset> _orphanSince = new(StringComparer.Ordinal);

    public Task RunAsync(CancellationToken ct) =>
        PeriodicPass.RunAsync(Period, time, SweepAsync, e => logs.Event($"SIP: the clean-up of conferences without a record failed: {e.Message}", "error"), ct);

    private async Task SweepAsync(CancellationToken ct)
    {
        if (!allMembersActive() || activePeers().Order(StringComparer.Ordinal).FirstOrDefault() != config.Store.PeerId)
        {
            _orphanSince.Clear(); // the grace counts only time in which this peer sweeps, with every member's records at hand
            return;
        }
        var mark = ConferenceMark.Of(config);
        var watcher = bridges();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var health in watcher.Current.Where(h => h.ApiAnswers)) // the API is all a destroy needs
        {
            if (watcher.Client(health.Bridge) is not { } client) continue;
            IReadOnlyList<BridgeConference> hosted;
            try { hosted = await client.EnumerateConferencesAsync(ct); }
            catch (BridgeCallException) { continue; } // the watcher's own probe shows what is wrong
            var recorded = LiveConferences.Read(config).Where(c => c.Bridge == health.Bridge).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var conference in hosted.Where(c => c.Description == mark && c.Participants == 0 && !recorded.Contains(c.Name) && !busyHere(c.Name)))
            {
                var key = $"{health.Bridge}/{conference.Name}";
                seen.Add(key);
                var now = time.GetUtcNow();
                if (!_orphanSince.TryGetValue(key, out var since)) _orphanSince[key] = since = now;
                if (now - since >= Grace) await DestroyAsync(client, health.Bridge, conference.Name, key, ct);
            }
        }
        foreach (var gone in _orphanSince.Keys.Where(k => !seen.Contains(k)).ToList()) _orphanSince.Remove(gone);
    }

    private async Task DestroyAsync(BridgeClient client, string bridge, string name, string key, CancellationToken ct)
    {
        try
        {
            await client.DestroyConferenceAsync(name, ct);
        }
        catch (BridgeCallException e) when (e.FaultCode == BridgeFaults.NoSuchConference) { }
        catch (BridgeCallException e)
        {
            logs.Event($"conference {name} on bridge {bridge} has no record, but the bridge did not destroy it: {e.Message}; trying again", "warning");
            return;
        }
        _orphanSince.Remove(key);
        logs.Event($"conference {name} on bridge {bridge} had no record and nobody in it for {Grace.TotalSeconds:0} s: destroyed");
    }
}
