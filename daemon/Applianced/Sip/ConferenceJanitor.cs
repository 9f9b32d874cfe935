using Appliance.Daemon.Bridges;
using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Sip;

/// <summary>
/// Runs the linger (CONFERENCING.md, "Linger and destroy"; the decision is <see cref="ConferenceLinger"/>):
/// every second it looks at the live conferences; one that has had no participant (and no call of
/// this peer in any state) for its template's lingerSeconds is destroyed on its bridge by its one
/// destroyer, and its status record removed. "Empty since" restarts at every change of the
/// conference's record or of any peer's count of it: two looks a second apart that both find it
/// empty say nothing about the calls that came and went between them (issue 21 scenario 5: a
/// conference called every few hundred milliseconds through both peers was destroyed under the
/// next call, which the bridge then refused). A bridge this peer cannot use now is not asked: the
/// conference waits (the record stays, naming it) until the bridge is back.
/// </summary>
internal sealed class ConferenceJanitor(ConfigStore config, Func<BridgeWatcher> bridges, Func<IReadOnlyCollection<string>> activePeers,
    Func<string, bool> busyHere, NodeLogs logs, TimeProvider time)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, DateTimeOffset> _emptySince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    // Commits that touched the conferences or their counts so far, and how many there had been when a
    // sweep last found no live conference: until another one comes, there is none, the store is not
    // read and the sweeps sleep until such a commit wakes them (an idle peer read the store every
    // second for nothing, then woke every second for nothing; issue 19). Starts apart: the first sweep reads.
    private long _conferenceCommits;
    private long _noneAsOf = -1;
    private readonly Cluster.Signal _conferenceChanged = new();

    public async Task RunAsync(CancellationToken ct)
    {
        config.Store.Committed += OnCommitted;
        try
        {
            await PeriodicPass.RunAsync(Period, time, SweepAsync, e => logs.Event($"SIP: the linger of empty conferences failed: {e.Message}", "error"), _conferenceChanged, ct);
        }
        finally
        {
            config.Store.Committed -= OnCommitted;
        }
    }

    /// <summary>A call joined or left a conference (on any peer), or its record changed: its emptiness starts again.</summary>
    private void OnCommitted(CommitInfo commit)
    {
        var changed = false;
        lock (_emptySince)
        {
            foreach (var r in commit.Changed)
            {
                if (r.Section is not ("conferences" or ConfigSchema.ConferenceParticipants)) continue;
                _emptySince.Remove(r.Key);
                _conferenceCommits++;
                changed = true;
            }
        }
        if (changed) _conferenceChanged.Set();
    }

    /// <summary>One look at the live conferences; false when there is none (the sweeps then wait for a conference commit).</summary>
    private async Task<bool> SweepAsync(CancellationToken ct)
    {
        long commits;
        lock (_emptySince)
        {
            commits = _conferenceCommits;
            if (commits == _noneAsOf) return false;
        }
        var lookup = config.Lookup();
        var live = LiveConferences.Read(config, lookup);
        if (live.Count == 0)
        {
            // The idle case: no templates read, no peers asked, and no more reads until a conference changes.
            lock (_emptySince)
            {
                _emptySince.Clear();
                _noneAsOf = commits;
            }
            return false;
        }
        var templates = ConferencingConfig.From(lookup).Templates;
        var now = time.GetUtcNow();
        var peers = activePeers();
        lock (_emptySince)
            foreach (var gone in _emptySince.Keys.Where(n => live.All(c => c.Name != n)).ToList()) _emptySince.Remove(gone);
        foreach (var conference in live)
        {
            DateTimeOffset since;
            lock (_emptySince)
            {
                if (conference.Participants > 0 || busyHere(conference.Name))
                {
                    _emptySince.Remove(conference.Name);
                    continue;
                }
                since = _emptySince.TryGetValue(conference.Name, out var s) ? s : _emptySince[conference.Name] = now;
            }
            var linger = TimeSpan.FromSeconds(templates.GetValueOrDefault(conference.Template)?.LingerSeconds ?? 10);
            if (ConferenceLinger.Due(conference, since, linger, now, config.Store.PeerId, peers))
                await DestroyAsync(conference, linger, ct);
        }
        return true;
    }

    private async Task DestroyAsync(LiveConference conference, TimeSpan linger, CancellationToken ct)
    {
        var watcher = bridges();
        // Its API is all a destroy needs: a bridge whose SIP side is down still gets its empty conferences removed.
        if (watcher.Get(conference.Bridge) is not { ApiAnswers: true } || watcher.Client(conference.Bridge) is not { } client)
        {
            if (_reported.Add(conference.Name))
                logs.Event($"conference {conference.Name} is empty but bridge {conference.Bridge}'s API does not answer this peer: it is destroyed once the bridge is back", "warning");
            return;
        }
        try
        {
            // The counts are the peers' own writes, which reach this peer a moment after another peer's
            // call joined (a 1 s linger destroyed such a call's conference under it, issue 21 scenario 5):
            // the bridge's list is the last word, and anyone in it starts the linger again.
            if ((await client.EnumerateParticipantsAsync(conference.Name, ct)).Count > 0)
            {
                lock (_emptySince) _emptySince[conference.Name] = time.GetUtcNow();
                return;
            }
            await client.DestroyConferenceAsync(conference.Name, ct);
        }
        catch (BridgeCallException e) when (e.FaultCode == BridgeFaults.NoSuchConference) { }
        catch (BridgeCallException e)
        {
            if (_reported.Add(conference.Name))
                logs.Event($"conference {conference.Name}: bridge {conference.Bridge} did not destroy it: {e.Message}; trying again", "warning");
            return;
        }
        _reported.Remove(conference.Name);
        lock (_emptySince) _emptySince.Remove(conference.Name);
        await config.Store.WriteAsync([new Mutation(Scopes.Cluster, "conferences", conference.Name, null)]);
        logs.Event($"conference {conference.Name} destroyed on bridge {conference.Bridge} after {linger.TotalSeconds:0} s without participants");
    }
}
