using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Forgetting a peer (REPLICATION.md, "Forgetting a peer"): each clustered peer publishes its address
/// and peer list in its own scope; a peer none of whose addresses a member lists, and that is not
/// connected, is gone, and its peer-specific records are deleted (tombstones, like any delete), so
/// its licences, addresses and settings stop counting everywhere.
/// </summary>
public sealed partial class ClusterService
{
    /// <summary>The record (in each peer's own scope) holding its cluster address and peer list.</summary>
    public const string MembershipSection = "cluster-membership";

    /// <summary>
    /// How long a peer must look gone before it is forgotten: a member's new list may reach this peer
    /// a moment after the records that make another peer look gone.
    /// </summary>
    internal static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, DateTimeOffset> _goneSince = new(StringComparer.Ordinal);

    /// <summary>What this peer knows of another from the records it holds.</summary>
    public sealed record KnownPeer(string Id, string Name, IReadOnlySet<string> Addresses, IReadOnlyList<string>? Peers);

    /// <summary>Writes this peer's membership record when it differs from what is stored (none while standalone).</summary>
    private async Task PublishMembershipAsync()
    {
        var own = _info.OwnAddress();
        var settings = Settings;
        var value = settings.Clustered && own is not null
            ? new JsonObject { ["address"] = own, ["peers"] = new JsonArray(settings.SortedPeers.Select(p => (JsonNode)p).ToArray()) }.ToJsonString()
            : null;
        var scope = Scopes.Peer(Store.PeerId);
        if (Store.Get(scope, MembershipSection, "")?.Value == value) return;
        await Store.WriteAsync([new Mutation(scope, MembershipSection, "", value)]);
    }

    /// <summary>The other peers whose records this peer holds.</summary>
    internal IReadOnlyList<KnownPeer> KnownPeers() => Store.PeerScopes()
        .Select(s => Scopes.IsPeer(s, out var id) && id != Store.PeerId ? Known(id) : null).OfType<KnownPeer>().ToList();

    private KnownPeer Known(string id)
    {
        var scope = Scopes.Peer(id);
        var membership = JsonOf(Store.Get(scope, MembershipSection, "")?.Value);
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        if (Ipv4(membership?["address"]) is { } published) addresses.Add(published);
        if (Ipv4(JsonOf(Store.Get(scope, "ipv4", "")?.Value)?["address"]) is { } lan) addresses.Add(lan);
        // A list that is not a short list of addresses (a hostile or broken record) counts as unknown.
        var peers = membership?["peers"] is JsonArray list && list.Count <= 3 && list.All(p => Ipv4(p) is not null)
            ? list.Select(p => Ipv4(p)!).ToList()
            : null;
        var host = JsonOf(Store.Get(scope, "system", "")?.Value)?["hostname"] is JsonValue h && h.TryGetValue<string>(out var name) ? name : id;
        return new KnownPeer(id, host, addresses, peers);
    }

    /// <summary>
    /// The peers the cluster agrees are gone, as this peer sees it: not connected, not listed by this
    /// peer, and listed by none of the members' published lists (the members being the peers this
    /// one lists). Empty while a listed member's list is unknown: nothing is forgotten on a guess.
    /// </summary>
    internal IReadOnlyList<KnownPeer> GonePeers()
    {
        var settings = Settings;
        // Standalone with a cluster id (a store from before leaving cleared it): it could come back to
        // that cluster without joining, and its tombstones would delete live peers' records there.
        if (!settings.Clustered && settings.ClusterId is not null) return [];
        var others = KnownPeers();
        if (others.Count == 0) return [];
        var own = _info.OwnAddress();
        var listed = settings.Clustered ? settings.Peers.ToHashSet(StringComparer.Ordinal) : [];
        var members = new List<KnownPeer>();
        foreach (var address in listed.Where(a => a != own))
        {
            var member = others.FirstOrDefault(p => p.Addresses.Contains(address));
            if (member?.Peers is null) return [];
            members.Add(member);
        }
        listed.UnionWith(members.SelectMany(m => m.Peers!));
        var connected = Links.Where(l => l.Active && l.PeerId is not null).Select(l => l.PeerId!).ToHashSet(StringComparer.Ordinal);
        return others.Where(p => !members.Contains(p) && !connected.Contains(p.Id) && !p.Addresses.Overlaps(listed)).ToList();
    }

    /// <summary>
    /// Refuses a peer this one forgot that comes back still holding its cluster id and the data it
    /// had (cut off rather than dead, then listed again without leaving): linked, it would receive
    /// the tombstones of its own settings. A peer that left and joined again passes: its join
    /// emptied its version vector of other origins and publishes its records anew, which win.
    /// Only a peer of this peer's own cluster is refused: one that left and formed a cluster of its
    /// own (the guide's rolling upgrade) is a cluster this peer may join, taking that cluster's data.
    /// Nor one that formed or joined after it was forgotten (Hello's joinedAt is later than the
    /// tombstones): its join published its records anew, and a session cut before they arrived here
    /// must not lock it out for good.
    /// </summary>
    internal (string Reason, string? Detail)? ForgottenRefusal(HelloMessage remote)
    {
        if (remote.ClusterId is null || remote.ClusterId != Settings.ClusterId) return null;
        if (!remote.VersionVector.Any(kv => kv.Key != remote.PeerId && kv.Value > 0)) return null;
        var records = Store.Scan(Scopes.Peer(remote.PeerId) + "/");
        return records.Count > 0 && records.All(r => r.Deleted) && records.Any(r => r.Version.Origin != remote.PeerId)
               && !(remote.JoinedAt > records.Max(r => r.Version.Hlc))
            ? (PeerReasons.Forgotten, null)
            : null;
    }

    /// <summary>Forgets the peers that have looked gone for <see cref="ForgetAfter"/> (a turn of the cluster loop).</summary>
    private async Task ForgetGonePeersAsync()
    {
        var now = Time.GetUtcNow();
        var gone = GonePeers();
        foreach (var id in _goneSince.Keys.Where(id => gone.All(g => g.Id != id)).ToList()) _goneSince.Remove(id);
        foreach (var peer in gone)
        {
            if (!_goneSince.TryAdd(peer.Id, now) && now - _goneSince[peer.Id] >= ForgetAfter)
            {
                await ForgetAsync(peer, "no member lists it any more");
                _goneSince.Remove(peer.Id);
            }
        }
    }

    /// <summary>
    /// `cluster forget ADDRESS`, for a peer that died for good while a member's list still names it
    /// (so it is never gone by agreement). Refused while the peer is listed here, connected or
    /// answers on the replication port. Returns the peer and how many records were deleted.
    /// </summary>
    public async Task<(KnownPeer Peer, int Deleted)> ForgetAsync(string address, CancellationToken ct)
    {
        if (!IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ForgetRefusedException(false, $"'{address}' is not an IPv4 address", "must be a peer's IPv4 address");
        if (Settings.Peers.Contains(address))
            throw new ForgetRefusedException(false, $"{address} is still in this peer's list; remove it first: cluster set-peers ADDRESS...", "must not be in the peer list");
        var peer = KnownPeers().FirstOrDefault(p => p.Addresses.Contains(address))
            ?? throw new ForgetRefusedException(true, $"no records of a peer with address {address} are held here; nothing to forget", "must be the address of a peer whose records are held");
        if (Links.Any(l => l.Active && l.PeerId == peer.Id) || await PortProbe.RefusedAsync(address, _info.ReplicationPort, ct) is null)
            throw new ForgetRefusedException(false, $"{peer.Name} at {address} is reachable; a live peer leaves with 'cluster leave' on it, and is forgotten once no member lists it", "must be unreachable");
        return (peer, await ForgetAsync(peer, "forgotten by the operator (cluster forget)"));
    }

    private async Task<int> ForgetAsync(KnownPeer peer, string why)
    {
        var scope = Scopes.Peer(peer.Id);
        var live = Store.Scan(scope + "/").Where(r => !r.Deleted).ToList();
        if (live.Count == 0) return 0;
        await Store.WriteAsync(live.Select(r => new Mutation(scope, r.Section, r.Key, null)).ToList());
        Logs.Event($"cluster: forgot peer {peer.Name} ({string.Join(" ", peer.Addresses.Order(StringComparer.Ordinal))}, id {peer.Id}): {why}; " +
                   $"its {live.Count} peer-specific records were deleted");
        return live.Count;
    }

    private static JsonObject? JsonOf(string? text) => text is null ? null : RecordCheck.Parse(text);

    private static string? Ipv4(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && IPAddress.TryParse(text, out var a)
            && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && a.ToString() == text ? text : null;
}

/// <summary>Why `cluster forget` did nothing; <see cref="NotFound"/> when no such peer is known.</summary>
public sealed class ForgetRefusedException(bool notFound, string message, string rule) : Exception(message)
{
    public bool NotFound { get; } = notFound;
    public string Rule { get; } = rule;
}
