using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Tests.Harness;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// What the fault tests check after a fault heals: every peer's `cluster.verify` says in sync,
/// every peer holds the same conferences, and every write the API acknowledged is there.
/// Probes swallow every failure (a peer still starting, a verify timing out against a peer that is
/// just reconnecting) and retry until the deadline, then name what was last seen.
/// </summary>
internal static class FaultChecks
{
    /// <summary>name -> participants, as one peer shows its conferences.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ConferencesAsync(PeerProcess peer)
    {
        var shown = await peer.Api.ShowAsync("conferences").WaitAsync(TimeSpan.FromSeconds(20));
        return shown["sections"]!.AsArray().SelectMany(s => s!["items"]?.AsArray() ?? [])
            .ToDictionary(i => i!["name"]!.ToString(), i => i!["participants"]?.ToString() ?? "?", StringComparer.Ordinal);
    }

    public static async Task<JsonNode> VerifyAsync(PeerProcess peer) =>
        await peer.Api.CallAsync("cluster.verify").WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>The per-collection checksums this peer shows for itself ("count:hash" by collection).</summary>
    public static async Task<string> OwnChecksumsAsync(PeerProcess peer)
    {
        var verify = await VerifyAsync(peer);
        return string.Join("\n", verify["collections"]!.AsArray().Select(row =>
        {
            var own = row!.AsObject().First(kv => kv.Key.EndsWith("(this system)", StringComparison.Ordinal));
            return $"{row["collection"]}={own.Value}";
        }));
    }

    /// <summary>Waits until verify says inSync on every peer and all peers hold identical conferences; returns them.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> WaitConvergedAsync(IReadOnlyList<PeerProcess> peers, TimeSpan timeout, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        var last = "nothing yet";
        while (true)
        {
            try
            {
                var maps = new List<IReadOnlyDictionary<string, string>>();
                foreach (var p in peers) maps.Add(await ConferencesAsync(p));
                var same = maps.All(m => Same(m, maps[0]));
                var verdicts = new List<string>();
                if (same)
                {
                    foreach (var p in peers)
                    {
                        var v = await VerifyAsync(p);
                        if (v["inSync"]?.GetValue<bool>() != true) verdicts.Add($"{p.Host.Name}: differ {v["differ"]?.ToJsonString()} unreachable {v["unreachable"]?.ToJsonString()}");
                    }
                    if (verdicts.Count == 0)
                    {
                        log($"converged after {clock.Elapsed.TotalSeconds:0.0} s: {maps[0].Count} conferences, verify in sync on every peer");
                        return maps[0];
                    }
                }
                last = same ? string.Join("; ", verdicts) : "conferences differ: " + string.Join(" / ", maps.Select((m, i) => $"{peers[i].Host.Name} {m.Count}"));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (clock.Elapsed > timeout) throw new TimeoutException($"peers did not converge within {timeout.TotalSeconds:0} s; last seen: {last}");
            await Task.Delay(300);
        }
    }

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>Runs <paramref name="probe"/> until it returns true; exceptions count as "not yet".</summary>
    public static async Task UntilAsync(string what, Func<Task<bool>> probe, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var last = "false";
        while (true)
        {
            try
            {
                if (await probe().WaitAsync(timeout)) return;
                last = "false";
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (clock.Elapsed > timeout) throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}; last: {last}");
            await Task.Delay(250);
        }
    }
}
