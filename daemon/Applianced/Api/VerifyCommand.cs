using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>
/// cluster.verify: each collection's checksum on every peer side by side. "In sync" only when
/// every reachable peer answered and every collection matches; an unreachable peer is out of sync.
/// </summary>
internal static class VerifyCommand
{
    public static void Register(ApiRouter router, ClusterService cluster, ConfigStore config) =>
        router.Add("cluster.verify", async (_, _) =>
        {
            var local = cluster.Store.WithDigests(d => d.Collections());
            var remote = await cluster.CollectDigestsAsync();
            var columns = new List<(string Name, IReadOnlyDictionary<string, string> Sums)>
            {
                (config.HostName + " (this system)", local.ToDictionary(kv => kv.Key, kv => Sum(kv.Value.Count, kv.Value.Hash))),
            };
            var unreachable = new List<string>();
            foreach (var (address, reply) in remote)
            {
                if (reply is null)
                {
                    unreachable.Add(address);
                    continue;
                }
                var host = cluster.Links.FirstOrDefault(l => l.Address == address)?.HostName ?? address;
                columns.Add((host, reply.Collections.ToDictionary(c => c.Name, c => Sum(c.Count, c.Hash))));
            }
            var names = columns.SelectMany(c => c.Sums.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var rows = new JsonArray();
            var differ = new JsonArray();
            foreach (var name in names)
            {
                var row = new JsonObject { ["collection"] = name };
                foreach (var (column, sums) in columns) row[column] = sums.GetValueOrDefault(name, "(none)");
                var distinct = columns.Select(c => c.Sums.GetValueOrDefault(name, "(none)")).Distinct().Count();
                row["state"] = distinct == 1 ? "same" : "DIFFERS";
                if (distinct != 1) differ.Add(name);
                rows.Add(row);
            }
            var inSync = differ.Count == 0 && unreachable.Count == 0;
            return new JsonObject
            {
                ["title"] = inSync ? "in sync" : "OUT OF SYNC",
                ["inSync"] = inSync,
                ["differ"] = differ,
                ["unreachable"] = new JsonArray(unreachable.Select(u => (JsonNode)u).ToArray()),
                ["collections"] = rows,
            };
        });

    private static string Sum(long count, ulong hash) => $"{count}:{hash:x16}";
}
