using System.Text.Json.Nodes;
using System.Threading.Channels;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Node;

/// <summary>
/// The rules between records over what the store holds: R7's addresses across peers and locations,
/// a location's addresses naming a location, a conference's bridge, template and maximum, the
/// placement chain (alias, template, preference, pool, bridge: <see cref="ReferenceRules"/>), and a
/// warning for two peers with the same host name. The API refuses a change that breaks one, but a
/// record from a peer is checked on its own (<see cref="RecordCheck"/>), and two peers can each make a
/// valid change that together break one (a partition, a join, a restore). As for an invalid record
/// (<see cref="InvalidRecordAlarms"/>) the records stay stored, so every peer keeps the same data;
/// each record that breaks a rule gets an alarm naming it, its peer and the rule, lowered once the
/// rule holds again. Runs off the commit path: the peers' records (a few) are weighed whole on any
/// change of them, conferences one by one as they change, and when a record some record names (a
/// bridge, pool, preference, template, location) changes, the sections whose rules read its section
/// (<see cref="ReferenceRules.ReadersOf"/>), not every section that names something: a burst of
/// locations weighs the pools again, not the aliases, templates and live conferences (issue 19).
/// </summary>
public sealed class CrossRecordAlarms(Store.Store store, ConfigStore config, NodeLogs logs, Func<ClusterSettings> settings,
    Func<string, string?> clusterAddressOf, Func<string, string> describePeer)
{
    public const string AlarmPrefix = "rule:";
    public const string SameHostAlarmPrefix = "same-host-name:";

    /// <summary>Raised instead of one alarm each for the findings beyond <see cref="MaxAlarms"/>.</summary>
    public const string OverflowAlarm = "rule-breaks";

    public const int MaxAlarms = 64;

    private static readonly HashSet<string> PeerSections = new(["ipv4", "system", "location-addresses", "locations"], StringComparer.Ordinal);
    private static readonly HashSet<string> ReferencedSections = new(ReferenceRules.ReferencedSections.Concat(ReferenceRules.ReferringSections).Where(s => s != "conferences"), StringComparer.Ordinal);

    /// <summary>
    /// What to weigh again: the peers' records, whole sections of records that name others, and the
    /// conferences a commit changed, with whether a peer (or recovery) sent them.
    /// </summary>
    private sealed record Work(bool Peers, IReadOnlySet<string> Sections, IReadOnlyList<(string Key, bool Remote)> Conferences);

    private static readonly IReadOnlySet<string> NoSections = new HashSet<string>();

    /// <summary>The whole store: at start, and after a join dropped records without listing them.</summary>
    private static readonly Work Everything = new(true, new HashSet<string>(ReferenceRules.ReferringSections, StringComparer.Ordinal), []);

    private sealed record Finding(string Severity, string Text);

    private static readonly TimeSpan BurstWindow = TimeSpan.FromMilliseconds(250);

    private readonly Channel<Work> _pending = Channel.CreateUnbounded<Work>(new() { SingleReader = true });
    private Dictionary<string, Finding> _peerFindings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Finding> _recordFindings = new(StringComparer.Ordinal);
    private readonly HashSet<string> _raised = new(StringComparer.Ordinal);

    /// <summary>Follows every commit from now on, and checks the whole store first.</summary>
    public void Attach()
    {
        store.Committed += OnCommitted;
        _ = Task.Run(async () =>
        {
            Guarded(Everything);
            while (await _pending.Reader.WaitToReadAsync())
            {
                // Whatever queues meanwhile is one check: a burst of commits costs one pass. The pause
                // makes a script's one-at-a-time writes a burst too (a pass reads every peer's settings,
                // hundreds of KB; the alarms are a quarter of a second later).
                await Task.Delay(BurstWindow);
                var (peers, sections, conferences) = (false, new HashSet<string>(StringComparer.Ordinal), new List<(string, bool)>());
                while (_pending.Reader.TryRead(out var w))
                {
                    peers |= w.Peers;
                    sections.UnionWith(w.Sections);
                    conferences.AddRange(w.Conferences);
                }
                Guarded(new Work(peers, sections, conferences));
            }
        });
    }

    /// <summary>The peer list changed: the cluster addresses and who counts as a member with it.</summary>
    public void PeersChanged() => _pending.Writer.TryWrite(new Work(true, NoSections, []));

    public void Stop()
    {
        store.Committed -= OnCommitted;
        _pending.Writer.TryComplete();
    }

    private void OnCommitted(CommitInfo commit)
    {
        if (commit.Reset)
        {
            _pending.Writer.TryWrite(Everything);
            return;
        }
        var peers = false;
        HashSet<string>? sections = null;
        List<(string, bool)>? conferences = null;
        foreach (var r in commit.Changed)
        {
            if (r.Section == "conferences") (conferences ??= []).Add((r.Key, commit.Remote));
            else if (ReferencedSections.Contains(r.Section)) (sections ??= new(StringComparer.Ordinal)).UnionWith(ReferenceRules.ReadersOf(r.Section));
            else if (PeerSections.Contains(r.Section)) peers = true;
        }
        if (peers || sections is not null || conferences is not null) _pending.Writer.TryWrite(new Work(peers, sections ?? NoSections, conferences ?? []));
    }

    private void Run(Work work)
    {
        if (work.Peers) _peerFindings = PeerFindings();
        var lookup = config.Lookup().Cached();
        foreach (var section in work.Sections)
        {
            var prefix = AlarmPrefix + StoredRecord.MakeId(Scopes.Cluster, section, "");
            foreach (var id in _recordFindings.Keys.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToList()) _recordFindings.Remove(id);
            foreach (var r in store.List(Scopes.Cluster, section)) CheckRecord(r, lookup);
        }
        if (!work.Sections.Contains("conferences"))
        {
            // A local write went through the same rules already: it counts only where it replaces a record
            // found breaking one. A commit's record may be replaced already: what counts is the one stored now.
            foreach (var (key, remote) in work.Conferences.Distinct())
            {
                var id = AlarmPrefix + StoredRecord.MakeId(Scopes.Cluster, "conferences", key);
                if (!remote && !_recordFindings.ContainsKey(id)) continue;
                if (store.Get(Scopes.Cluster, "conferences", key) is { } r) CheckRecord(r, lookup);
                else _recordFindings.Remove(id);
            }
        }
        Sync();
    }

    private void CheckRecord(StoredRecord r, ConfigLookup lookup)
    {
        var id = AlarmPrefix + r.Id;
        // A record the model refuses on its own has its alarm already (InvalidRecordAlarms).
        var error = RecordCheck.Validate(r).Value is { } value
            ? RecordCheck.Model(() => ConfigOps.Validate(r.Section, value, new ConfigContext { Lookup = lookup }).Value, RecordCheck.Name(r)).Error
            : null;
        if (error is null) _recordFindings.Remove(id);
        else _recordFindings[id] = new(AlarmRegistry.Error, $"{RecordCheck.Name(r)} breaks a rule: {error.Message}");
    }

    /// <summary>Each peer's addresses weighed against every other peer's, as the API weighs a typed value; and their host names.</summary>
    private Dictionary<string, Finding> PeerFindings()
    {
        var found = new Dictionary<string, Finding>(StringComparer.Ordinal);
        var cluster = settings();
        var peers = config.Peers(cluster, clusterAddressOf);
        foreach (var peer in peers)
        {
            var scope = Scopes.Peer(peer.Id!);
            var ctx = new ConfigContext
            {
                OwnAddress = peer.Ipv4 is null ? null : RuleContext.Text(peer.Ipv4, "address"),
                ClusterAddresses = cluster.Peers,
                OtherPeers = peers.Where(p => p.Id != peer.Id).ToList(),
                Lookup = config.Lookup(peer.Id).Cached(),
            };
            if (peer.Ipv4 is { } ipv4 && store.Get(scope, "ipv4", "") is not null)
                Check(found, scope, "ipv4", "", peer, () => CrossPeerRules.CheckIpv4(ipv4, ctx));
            foreach (var (location, item) in peer.LocationAddresses ?? new Dictionary<string, JsonObject>())
                Check(found, scope, "location-addresses", location, peer, () => CrossPeerRules.CheckLocation(location, item, ctx));
        }
        // Members only: records kept from an earlier cluster have their own warning (stale peers).
        var members = peers.Where(p => p.Id == store.PeerId || p.Index > 0);
        foreach (var same in members.GroupBy(p => p.Host, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            found[SameHostAlarmPrefix + same.Key.ToLowerInvariant()] = new(AlarmRegistry.Warning,
                $"{string.Join(" and ", same.Select(p => describePeer(p.Id!)))} have the same host name '{TextRules.Escape(same.Key)}'; give each peer its own (config set system.hostname)");
        }
        return found;
    }

    private void Check(Dictionary<string, Finding> found, string scope, string section, string key, PeerView peer, Action rule)
    {
        var name = TextRules.Escape(key.Length == 0 ? section : $"{section}.{key}");
        var error = RecordCheck.Model(() =>
        {
            rule();
            return new JsonObject();
        }, name).Error;
        if (error is not null)
            found[AlarmPrefix + StoredRecord.MakeId(scope, section, key)] = new(AlarmRegistry.Error, $"{name} of {describePeer(peer.Id!)} breaks a rule: {error.Message}");
    }

    /// <summary>Raises what is found (up to <see cref="MaxAlarms"/>), lowers what no longer is.</summary>
    private void Sync()
    {
        var findings = _peerFindings.Concat(_recordFindings).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var id in _raised.Where(id => !findings.ContainsKey(id)).ToList())
        {
            _raised.Remove(id);
            logs.Alarms.Lower(id);
        }
        foreach (var (id, finding) in findings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!_raised.Contains(id) && _raised.Count >= MaxAlarms) continue;
            _raised.Add(id);
            logs.Alarms.Raise(id, finding.Severity, finding.Text);
        }
        var more = findings.Count - _raised.Count;
        logs.Alarms.Set(OverflowAlarm, more > 0, AlarmRegistry.Error, $"{more} more records break rules between records (the first {MaxAlarms} have an alarm each)");
    }

    /// <summary>A failure of the check itself must not end the checking of later commits.</summary>
    private void Guarded(Work work)
    {
        try
        {
            Run(work);
        }
        catch (ObjectDisposedException)
        {
            // The node stopped while checking; the next start checks the whole store again.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            try { logs.Event($"checking the rules between records failed: {e.Message}", "error"); }
            catch (IOException) { }
        }
    }
}
