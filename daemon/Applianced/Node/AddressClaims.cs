using System.Net;
using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Config;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Node;

/// <summary>
/// The addresses of R7 (management, additional, each location's ad hoc and rendezvous) of this peer
/// and of every peer whose records it holds, as the Hello carries them for the join check.
/// Only valid records count, as for the cross-peer rules.
/// </summary>
internal static class AddressClaims
{
    public static IReadOnlyList<AddressClaim> Collect(ConfigStore config, string? ownAddress, Func<string, string?> clusterAddressOf)
    {
        var store = config.Store;
        var claims = new List<AddressClaim>();
        var peers = store.PeerScopes().Select(s => Scopes.IsPeer(s, out var id) ? id : null).OfType<string>()
            .Append(store.PeerId).Distinct(StringComparer.Ordinal);
        foreach (var peerId in peers)
        {
            var ipv4 = config.Read("ipv4", peerId);
            var host = config.Read("system", peerId)["hostname"]?.GetValue<string>() ?? peerId;
            var address = RuleContext.Text(ipv4, "address");
            var listed = peerId == store.PeerId ? ownAddress : clusterAddressOf(peerId) ?? address;
            void Claim(string? claimed, string what)
            {
                if (claimed is not null && IPAddress.TryParse(claimed, out _)) claims.Add(new(peerId, host, listed, claimed, what));
            }
            Claim(address, "address");
            foreach (var extra in RuleContext.List(ipv4, "additional")) Claim(extra, "additional address");
            foreach (var item in store.List(Scopes.Peer(peerId), "location-addresses").Select(r => RecordCheck.Validate(r).Value).OfType<JsonObject>())
            {
                var location = item[SectionDef.NameField]?.GetValue<string>();
                Claim(RuleContext.Text(item, "adhoc"), $"ad hoc address for location {location}");
                Claim(RuleContext.Text(item, "rendezvous"), $"rendezvous address for location {location}");
            }
        }
        return claims;
    }
}
