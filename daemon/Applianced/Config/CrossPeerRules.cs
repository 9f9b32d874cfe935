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

    /// <summary>This peer's ipv4 against the other peers' primary and additional addresses.</summary>
    public static void CheckIpv4(JsonObject ipv4, IReadOnlyList<PeerView> others)
    {
        var address = RuleContext.Text(ipv4, "address");
        if (address is not null)
            CheckAgainstPeers("ipv4.address", address, others);
        foreach (var extra in RuleContext.List(ipv4, "additional"))
            CheckAgainstPeers("ipv4.additional", extra, others);
    }

    /// <summary>
    /// A location's ad hoc / rendezvous addresses on this peer against the same location's
    /// addresses on the other peers, and against the other peers' own addresses.
    /// </summary>
    public static void CheckLocation(string location, JsonObject item, IReadOnlyList<PeerView> others)
    {
        foreach (var field in new[] { "adhoc", "rendezvous" })
        {
            var mine = RuleContext.Text(item, field);
            if (mine is null)
                continue;
            var path = $"location-addresses.{location}.{field}";
            foreach (var peer in others)
            {
                if (peer.LocationAddresses?.GetValueOrDefault(location) is not { } theirs)
                    continue;
                foreach (var theirField in new[] { "adhoc", "rendezvous" })
                {
                    if (RuleContext.Text(theirs, theirField) == mine)
                        throw FieldValues.Fail(path, mine,
                            $"is already {peer.Label}'s {theirField} address for location {location}");
                }
            }
            CheckAgainstPeers(path, mine, others);
        }
    }

    private static void CheckAgainstPeers(string path, string address, IReadOnlyList<PeerView> others)
    {
        foreach (var peer in others)
        {
            if (peer.Ipv4 is null)
                continue;
            if (RuleContext.Text(peer.Ipv4, "address") == address)
                throw FieldValues.Fail(path, address, $"is already {peer.Label}'s address");
            if (RuleContext.List(peer.Ipv4, "additional").Contains(address))
                throw FieldValues.Fail(path, address, $"is already {peer.Label}'s additional address");
        }
    }
}
