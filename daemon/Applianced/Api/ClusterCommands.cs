using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Api;

/// <summary>cluster.*: the cluster settings (R1) and the per-peer status as this peer sees it (R2).</summary>
internal sealed class ClusterCommands(ClusterService cluster, ConfigStore config, Func<ConfigContext> context, Func<string?> ownAddress)
{
    public void Register(ApiRouter router) => router
        .Add("cluster.show", _ => Show())
        .Add("cluster.setKey", async (r, _) => await SetFieldAsync("key", [NonEmptyKey(r)], r))
        .Add("cluster.setPeers", async (r, _) => await SetFieldAsync("peers", r.StringList("addresses"), r))
        .Add("cluster.leave", async (r, _) =>
        {
            var old = Current();
            await cluster.LeaveAsync();
            config.Log("cluster", old, Current(), r, "cluster");
            return new JsonObject { ["message"] = "this peer is standalone now and keeps its data" };
        })
        .Add("cluster.forget", async (r, ct) => await ForgetAsync(r, ct));

    /// <summary>cluster forget ADDRESS: deletes a dead peer's records everywhere (ClusterService.Forget.cs).</summary>
    private async Task<JsonObject> ForgetAsync(ApiRequest r, CancellationToken ct)
    {
        var address = r.RequiredString("address");
        try
        {
            var (peer, deleted) = await cluster.ForgetAsync(address, ct);
            config.Log("cluster", null, null, r, $"cluster.forget {address}");
            return new JsonObject
            {
                ["message"] = $"forgot {peer.Name} ({address}): its {deleted} peer-specific records are deleted on every member",
                ["peer"] = peer.Name,
                ["id"] = peer.Id,
                ["deleted"] = deleted,
            };
        }
        catch (ForgetRefusedException e)
        {
            throw new ApiException(e.NotFound ? ApiException.NotFound : ApiException.Conflict, e.Message, "address", address, e.Rule);
        }
    }

    /// <summary>An empty key would unset the key and drop the cluster; leaving is cluster.leave, asked for by name.</summary>
    private static string NonEmptyKey(ApiRequest r) =>
        r.RequiredString("key") is { Length: > 0 } key && !string.IsNullOrWhiteSpace(key)
            ? key
            : throw new ApiException(ApiException.Validation,
                "the cluster key is empty; give a key (at least 16 characters), or take this peer out of the cluster with 'cluster leave'",
                "cluster.key", null, "must not be empty");

    private JsonObject Current() => new()
    {
        ["key"] = cluster.Settings.Key,
        ["peers"] = new JsonArray(cluster.Settings.Peers.Select(p => (JsonNode)p).ToArray()),
    };

    public JsonObject ShowValues() => new()
    {
        ["key"] = cluster.Settings.Key is null ? ConfigDisplay.NotSet : ConfigDisplay.Set,
        ["peers"] = new JsonArray(cluster.Settings.Peers.Select(p => (JsonNode)p).ToArray()),
        ["clusterId"] = cluster.Settings.ClusterId,
    };

    /// <summary>Licence rules on the peer list (R14), checked before it is stored.</summary>
    public Action<IReadOnlyList<string>>? CheckPeers { get; set; }

    /// <summary>config set cluster.peers / cluster set-key / set-peers: validated by the model, then applied live (R11).</summary>
    public async Task<JsonObject> SetFieldAsync(string? field, IReadOnlyList<string> values, ApiRequest r)
    {
        if (field is null) throw ApiException.BadArgs("name a field: cluster.key or cluster.peers");
        if (field == "key" && values.Count > 0 && r.Cmd != "cluster.setKey")
            throw ApiException.BadArgs("the cluster key is set with 'cluster set-key', which reads it from a prompt or stdin, never from the command line");
        if (field == "peers") CheckPeers?.Invoke(values);
        var old = Current();
        var result = values.Count == 0
            ? ConfigOps.Unset("cluster", old, field, context() with { OwnAddress = ownAddress() })
            : ConfigOps.Set("cluster", old, field, values, context() with { OwnAddress = ownAddress() });
        if (field == "key") config.Store.SetLocal(ClusterSettings.KeyName, result.Value["key"]?.GetValue<string>());
        else ClusterSettings.SavePeers(config.Store, result.Value["peers"]!.AsArray().Select(n => n!.GetValue<string>()).ToList());
        config.Log("cluster", old, result.Value, r, $"cluster.{field}");
        // The guide takes a peer out by deleting the key and the peer addresses: whichever goes
        // first ends the membership, and the cluster id goes with it, so the peer can join another.
        if (values.Count == 0) cluster.LeaveIfStandalone();
        await cluster.ReconfigureAsync();
        return new JsonObject
        {
            ["path"] = $"cluster.{field}",
            ["new"] = ConfigDisplay.DisplayField("cluster", result.Value, field),
            ["warnings"] = new JsonArray(result.Warnings.Select(w => (JsonNode)w).ToArray()),
        };
    }

    private JsonObject Show()
    {
        var own = ownAddress();
        var links = cluster.Links.ToDictionary(l => l.Address);
        var peers = new JsonArray();
        var copies = new JsonArray();
        var index = 0;
        foreach (var address in cluster.Settings.Peers)
        {
            index++;
            links.TryGetValue(address, out var link);
            var row = new JsonObject
            {
                ["peer"] = $"Peer {index}",
                ["address"] = address,
                ["status"] = address == own ? "This system" : link?.Status() ?? PeerLink.NeverSeen,
                ["host"] = address == own ? config.HostName : link?.HostName ?? "",
                ["rttMs"] = link?.RttMs is { } rtt ? Math.Round(rtt, 2) : null,
            };
            if (cluster.CopyFrom(address) is { } copy && copy.Progress.Current is { } report)
            {
                row["copy"] = CopyText(copy.Kind, report);
                var figures = new JsonObject { ["peer"] = $"Peer {index}", ["address"] = address, ["kind"] = copy.Kind };
                foreach (var (key, value) in ApiServer.ProgressLine(report)) figures[key] = value?.DeepClone();
                copies.Add(figures);
            }
            peers.Add(row);
        }
        var shown = new JsonObject
        {
            ["title"] = cluster.Settings.Clustered ? "cluster" : "cluster (standalone: no key or no peers set)",
            ["clusterId"] = cluster.Settings.ClusterId ?? "",
            ["key"] = cluster.Settings.Key is null ? ConfigDisplay.NotSet : ConfigDisplay.Set,
            ["peers"] = peers,
        };
        // Only while records are copied: a result without it reads as before.
        if (copies.Count > 0) shown["copies"] = copies;
        return shown;
    }

    /// <summary>"Joining: 4,200 of 10,000 records (42%)", or without a total "Recovering: 4,200 records".</summary>
    internal static string CopyText(string kind, ProgressReport report)
    {
        var what = kind == RecordCopy.Joining ? "Joining" : "Recovering";
        return report.Total is { } total
            ? string.Create(CultureInfo.InvariantCulture, $"{what}: {report.Done:N0} of {total:N0} records ({report.Percent}%)")
            : string.Create(CultureInfo.InvariantCulture, $"{what}: {report.Done:N0} records");
    }
}
