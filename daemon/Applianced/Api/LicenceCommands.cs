using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Licensing;
using Appliance.Daemon.Maintenance;
using Appliance.Daemon.Node;
using static Appliance.Daemon.Api.MaintenanceErrors;

namespace Appliance.Daemon.Api;

/// <summary>
/// licence.show|add (R14): this peer's keys, and every peer's edition and capacity with the cluster's
/// sum. Keys come as text in the request (the CLI reads a file or stdin); the daemon opens no file.
/// </summary>
internal sealed class LicenceCommands(LicenceService licences, Store.Store store, ConfigStore config, Func<ClusterSettings> cluster, Func<string> serial)
{
    public void Register(ApiRouter router) => router
        .Add("licence.show", _ => Show())
        .Add("licence.add", r => Guard(() =>
        {
            var text = r.WithoutPaths("file").RequiredString("key");
            var added = licences.Add(text);
            var result = Show();
            result["title"] = $"{added.Count} licence key(s) added";
            result["added"] = new JsonArray(added.Select(k => (JsonNode)LicenceService.Describe(k)).ToArray());
            return result;
        }));

    /// <summary>This peer's licence and, while clustered, every other peer's it holds records of.</summary>
    private List<(string Name, LicenceState State)> Peers()
    {
        var peers = new List<(string Name, LicenceState State)> { (config.HostName + " (this system)", licences.Own()) };
        if (cluster().Clustered)
        {
            foreach (var scope in store.PeerScopes())
            {
                if (!Store.Scopes.IsPeer(scope, out var id) || id == store.PeerId) continue;
                peers.Add((config.Read("system", id)["hostname"]?.GetValue<string>() ?? id, licences.StateOf(id)));
            }
        }
        return peers;
    }

    /// <summary>The cluster's multiparty capacity (R14: the sum of every peer's option keys), for placement.</summary>
    public ClusterLicenceCheck Capacity() => ClusterLicence.Check(Peers().Select(p => PeerLicence.From(p.Name, p.State)).ToList());

    private JsonObject Show()
    {
        var own = licences.Own();
        var peers = Peers();
        var check = ClusterLicence.Check(peers.Select(p => PeerLicence.From(p.Name, p.State)).ToList());
        return new JsonObject
        {
            ["title"] = "licence",
            ["serial"] = serial(),
            ["edition"] = own.EditionName,
            ["vendorKey"] = VendorKey.Describe(),
            ["clustering"] = LicenceService.Refusal(own, cluster() with { Peers = ["", ""] }) is { } no ? $"not licensed: {no}" : $"licensed, up to {own.MaxPeers} peers",
            ["keys"] = new JsonArray(Keys(own).ToArray()),
            ["peers"] = new JsonArray(peers.Select(p => (JsonNode)new JsonObject
            {
                ["peer"] = p.Name,
                ["edition"] = p.State.EditionName,
                ["personalMultiparty"] = p.State.PersonalMultiparty,
                ["sharedMultiparty"] = p.State.SharedMultiparty,
            }).ToArray()),
            ["capacity"] = new JsonObject
            {
                ["personalMultiparty"] = check.PersonalMultiparty,
                ["sharedMultiparty"] = check.SharedMultiparty,
            },
            ["cluster"] = check.Allowed ? "ok" : check.Reason,
        };
    }

    private static IEnumerable<JsonNode> Keys(LicenceState own)
    {
        if (own.Release is { } r) yield return new JsonObject { ["key"] = "release", ["detail"] = LicenceService.Describe(r), ["state"] = "valid" };
        foreach (var o in own.Options) yield return new JsonObject { ["key"] = "option", ["detail"] = LicenceService.Describe(o), ["state"] = "valid" };
        foreach (var p in own.Problems) yield return new JsonObject { ["key"] = LicenceKeyCodec.Short(p.Key), ["detail"] = p.Message, ["state"] = p.Error.ToString() };
    }
}
