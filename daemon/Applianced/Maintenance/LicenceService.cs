using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Appliance.Daemon.Api;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Licensing;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Maintenance;

/// <summary>
/// Licence keys (R14). Each peer keeps its keys as peer-specific records (section "licences" of its
/// own scope, with its hardware serial), so they replicate read-only to the other peers: every peer
/// can verify every peer's keys and show the cluster's capacity as their sum.
/// </summary>
public sealed class LicenceService(Store.Store store, NodeLogs logs, Func<string> serial, Func<ClusterSettings> cluster, LicenceVerifier verifier)
{
    public const string Section = "licences";
    public const string AlarmId = "licence-clustering";

    private sealed record KeyRecord(string Key, string Serial);

    /// <summary>This peer's licence, from its own keys.</summary>
    public LicenceState Own() => StateOf(store.PeerId, serial());

    /// <summary>A peer's licence from its replicated key records (verified against the serial they name).</summary>
    public LicenceState StateOf(string peerId, string? peerSerial = null)
    {
        var records = Keys(peerId);
        peerSerial ??= records.FirstOrDefault()?.Serial ?? "";
        return LicenceState.Compute(peerSerial, records.Select(r => r.Key), verifier);
    }

    private List<KeyRecord> Keys(string peerId) =>
        store.List(Scopes.Peer(peerId), Section)
            .Select(r => JsonSerializer.Deserialize<KeyRecord>(r.Value!, Json))
            .OfType<KeyRecord>().ToList();

    /// <summary>The most licence text taken at once: a licence file holds a handful of keys of ~300 characters.</summary>
    public const int MaxTextBytes = 64 * 1024;

    /// <summary>
    /// Verifies and stores keys (one per line, or the text of a licence file). Every key must be
    /// valid for this peer, or nothing is stored. An error names a key by its line, never by
    /// what the line holds.
    /// </summary>
    public IReadOnlyList<LicenceKey> Add(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxTextBytes)
            throw new MaintenanceException(ApiException.Validation, $"the licence text is larger than {MaxTextBytes / 1024} KiB; a licence file is a few keys, one a line; nothing was stored");
        var keys = text.Split('\n').Select((line, i) => (Line: i + 1, Key: line.Trim()))
            .Where(l => l.Key.Length > 0 && !l.Key.StartsWith('#'))
            .Select(l => (l.Line, Key: LicenceKeyCodec.Normalize(l.Key))).ToList();
        if (keys.Count == 0) throw new MaintenanceException(ApiException.Validation, "no licence key given (the file or text is empty)");
        var own = serial();
        var verified = new List<LicenceKey>();
        foreach (var (line, key) in keys)
        {
            try { verified.Add(verifier.Verify(key, own)); }
            catch (LicenceException e) { throw new MaintenanceException(ApiException.Validation, $"line {line}: {e.Message}; nothing was stored", e); }
        }
        store.Write(keys.Select(k => new Mutation(Scopes.Peer(store.PeerId), Section, KeyId(k.Key),
            JsonSerializer.Serialize(new KeyRecord(k.Key, own), Json))).ToList());
        foreach (var k in verified) logs.Event($"licence key added: {Describe(k)}");
        UpdateAlarm();
        return verified;
    }

    /// <summary>Edition and state this peer announces in its hello (HelloCheck compares them).</summary>
    public (string Edition, string LicenceState) Hello()
    {
        var own = Own();
        return (own.Edition.ToString().ToLowerInvariant(), Refusal(own, cluster()) ?? HelloCheck.Licensed);
    }

    /// <summary>Why this peer may not cluster with its settings, or null.</summary>
    public static string? Refusal(LicenceState own, ClusterSettings settings)
    {
        if (!own.ClusteringAllowed) return "essentials (no release key)";
        if (settings.Peers.Count > own.MaxPeers)
            return $"{own.EditionName.ToLowerInvariant()} edition clusters at most {own.MaxPeers} peers, {settings.Peers.Count} are configured";
        return null;
    }

    /// <summary>Refuses a peer list this peer's licence does not allow (checked before it is stored).</summary>
    public void CheckPeers(IReadOnlyList<string> peers)
    {
        if (peers.Count <= 1) return;
        var own = Own();
        if (!own.ClusteringAllowed)
            throw new ApiException(ApiException.Validation,
                "clustering not licensed: this peer runs as Essentials (no valid release key); add one with 'appliancectl licence add FILE'",
                "cluster.peers", string.Join(" ", peers), "R14");
        if (peers.Count > own.MaxPeers)
            throw new ApiException(ApiException.Validation,
                $"the {own.EditionName} edition clusters at most {own.MaxPeers} peers; {peers.Count} addresses were given",
                "cluster.peers", string.Join(" ", peers), "R14");
    }

    /// <summary>Alarm while clustering is configured but this peer's licence does not allow it.</summary>
    public void UpdateAlarm()
    {
        var settings = cluster();
        var refusal = settings.Clustered ? Refusal(Own(), settings) : null;
        logs.Alarms.Set(AlarmId, refusal is not null, AlarmRegistry.Error, $"clustering not licensed: {refusal}");
    }

    public static string Describe(LicenceKey key) => key switch
    {
        ReleaseKey r => $"release key, {r.Edition} edition, serial {r.Serial}",
        OptionKey o => $"option key {o.Id}: personal multiparty {o.PersonalMultiparty}, shared multiparty {o.SharedMultiparty}, serial {o.Serial}",
        _ => key.ToString(),
    };

    private static string KeyId(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(key)))[..16];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
