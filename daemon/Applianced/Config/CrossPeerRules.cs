using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// Another peer's peer-scoped configuration as replicated to this one (read-only), for the
/// cross-peer rules. Index is the peer's number in messages ("peer 2's additional address").
/// LocationAddresses maps location name to that peer's location-addresses item.
/// </summary>
public sealed record PeerView(int Index, string Name, string Host, JsonObject? Ipv4,
    IReadOnlyDictionary<string, JsonObject>? LocationAddresses)
{
    /// <summary>Its peer id, when known (the cross-record check names the records it finds).</summary>
    public string? Id { get; init; }

    /// <summary>Its ssh.enabled is false: admin.password is the only way into it.</summary>
    public bool SshDisabled { get; init; }

    /// <summary>"peer 2" when its place in the peer list is known, else its host name.</summary>
    public string Label => Index > 0 ? $"peer {Index}" : $"peer {Host}";
}

/// <summary>R7: addresses that must differ between peers, and the frozen primary LAN address.</summary>
public static class CrossPeerRules
{
    /// <summary>
    /// A clustered peer keeps its primary LAN settings (address, mask, gateway); only
    /// ipv4.additional may change. Setting a field that was not set before is allowed.
    /// </summary>
    public static void ValidateIpv4Change(JsonObject? old, JsonObject @new, bool isClustered)
    {
        if (!isClustered || old is null)
            return;
        foreach (var field in new[] { "address", "mask", "gateway" })
        {
            var before = RuleContext.Text(old, field);
            var after = RuleContext.Text(@new, field);
            if (before is not null && before != after)
                throw FieldValues.Fail($"ipv4.{field}", after,
                    $"cannot replace {before} while this peer is clustered; only ipv4.additional can change (leave the cluster first)");
        }
    }

    /// <summary>
    /// This peer's ipv4 against the other peers' primary, additional and location addresses; its
    /// primary address also against its own location addresses (an additional one may serve a location).
    /// </summary>
    public static void CheckIpv4(JsonObject ipv4, ConfigContext ctx)
    {
        var address = RuleContext.Text(ipv4, "address");
        if (address is not null)
        {
            CheckAgainstPeers("ipv4.address", address, ctx.OtherPeers);
            if (OwnLocations(ctx, except: null).FirstOrDefault(l => l.Address == address) is { Location: not null } own)
                throw FieldValues.Fail("ipv4.address", address, $"is this peer's {own.Field} address for location {own.Location}");
        }
        foreach (var extra in RuleContext.List(ipv4, "additional"))
            CheckAgainstPeers("ipv4.additional", extra, ctx.OtherPeers);
    }

    private static readonly string[] LocationFields = ["adhoc", "rendezvous"];

    /// <summary>
    /// A location's ad hoc / rendezvous addresses on this peer (the guide: every address assigned to a
    /// location differs on each peer): the location exists, and each address is used once, across every
    /// location of every peer, and is no peer's management, additional or cluster address. This peer's
    /// own additional addresses are what a location is given, so those are allowed.
    /// </summary>
    public static void CheckLocation(string location, JsonObject item, ConfigContext ctx)
    {
        if (ctx.Lookup is { } lookup && lookup.Item("locations", location) is null)
            throw FieldValues.Fail("location-addresses.name", location, $"names no location; add it first with 'config add locations {location}'");
        var adhoc = RuleContext.Text(item, "adhoc");
        if (adhoc is not null && adhoc == RuleContext.Text(item, "rendezvous"))
            throw FieldValues.Fail($"location-addresses.{location}.rendezvous", adhoc, "is also the location's adhoc address; each address serves one purpose");
        foreach (var field in LocationFields)
        {
            if (RuleContext.Text(item, field) is not { } mine)
                continue;
            var path = $"location-addresses.{location}.{field}";
            if (OwnLocations(ctx, except: location).FirstOrDefault(l => l.Address == mine) is { Location: not null } own)
                throw FieldValues.Fail(path, mine, $"is already this peer's {own.Field} address for location {own.Location}");
            if (mine == ctx.OwnAddress)
                throw FieldValues.Fail(path, mine, "is this peer's management address (ipv4.address)");
            var cluster = ctx.ClusterAddresses.ToList().IndexOf(mine);
            if (cluster >= 0)
                throw FieldValues.Fail(path, mine, $"is peer {cluster + 1}'s cluster address (cluster.peers)");
            CheckAgainstPeers(path, mine, ctx.OtherPeers);
        }
    }

    /// <summary>Every address a peer's locations use, with the location and the field.</summary>
    public static IEnumerable<(string Location, string Field, string Address)> LocationAddresses(IEnumerable<JsonObject> items) =>
        from item in items
        let location = RuleContext.Text(item, SectionDef.NameField)
        where location is not null
        from field in LocationFields
        let address = RuleContext.Text(item, field)
        where address is not null
        select (location, field, address);

    private static IEnumerable<(string? Location, string Field, string Address)> OwnLocations(ConfigContext ctx, string? except) =>
        ctx.Lookup is null ? [] : LocationAddresses(ctx.Lookup.Items("location-addresses"))
            .Where(l => l.Location != except).Select(l => ((string?)l.Location, l.Field, l.Address));

    /// <summary>An address of this peer against each other peer's management, additional and location addresses.</summary>
    private static void CheckAgainstPeers(string path, string address, IReadOnlyList<PeerView> others)
    {
        foreach (var peer in others)
        {
            if (peer.Ipv4 is not null)
            {
                if (RuleContext.Text(peer.Ipv4, "address") == address)
                    throw FieldValues.Fail(path, address, $"is already {peer.Label}'s address");
                if (RuleContext.List(peer.Ipv4, "additional").Contains(address))
                    throw FieldValues.Fail(path, address, $"is already {peer.Label}'s additional address");
            }
            if (peer.LocationAddresses is null)
                continue;
            foreach (var (location, field, theirs) in LocationAddresses(peer.LocationAddresses.Values))
            {
                if (theirs == address)
                    throw FieldValues.Fail(path, address, $"is already {peer.Label}'s {field} address for location {location}");
            }
        }
    }
}
