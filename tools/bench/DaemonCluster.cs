using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>
/// Three real applianced processes on 127.0.0.111-113, clustered through their API (the vendor
/// procedure), written through `config.add` of `locations` items: a cluster-scoped collection whose
/// replicated changes the other peers' configuration log shows (`log.follow`).
/// </summary>
internal sealed class DaemonCluster : IKvTarget
{
    public const string Section = "locations";
    private static readonly string[] Addresses = ["127.0.0.111", "127.0.0.112", "127.0.0.113"];
    private readonly TempDir _dir = new();
    private readonly DaemonProcess[] _procs;

    public string Name => "applianced";

    private DaemonCluster()
    {
        var ports = DaemonProcess.ClusterPorts();
        _procs = Enumerable.Range(0, Addresses.Length)
            .Select(i => DaemonProcess.Start(_dir.Sub($"p{i + 1}"), ["--bind", Addresses[i], .. ports])).ToArray();
    }

    public static async Task<DaemonCluster> StartAsync()
    {
        var cluster = new DaemonCluster();
        try
        {
            foreach (var p in cluster._procs) await p.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await InProcessCluster.FormAsync(Addresses, cluster.CallAsync);
            await Bench.WaitUntilAsync(() => cluster.AllActive(), TimeSpan.FromSeconds(60), "all 3 daemons Active to each other", pollMs: 100);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private bool AllActive() => Enumerable.Range(0, _procs.Length).All(i =>
        CallAsync(i, "cluster.show", []).GetAwaiter().GetResult()!["peers"]!.AsArray()
            .Count(p => p!["status"]!.GetValue<string>().StartsWith("Active", StringComparison.Ordinal)) == _procs.Length - 1);

    private async Task<JsonNode?> CallAsync(int member, string cmd, JsonObject args)
    {
        using var client = await ApiClient.ConnectAsync(_procs[member].Socket);
        return await client.CallAsync(cmd, args).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task<IKvClient> ConnectAsync(int member) => new Client(await ApiClient.ConnectAsync(_procs[member].Socket));

    public async Task<IKvWatch> WatchAsync(int member)
    {
        var follow = await ApiClient.ConnectAsync(_procs[member].Socket);
        // From now by the bench's clock: the daemon starts following when it reads the request, and a
        // write sent meanwhile whose line came before that would never be shown (a 30 s timeout).
        await follow.SendAsync("log.follow", new JsonObject { ["log"] = "config", ["since"] = DateTimeOffset.UtcNow.ToString("o") });
        return new Watch(follow, async key =>
        {
            using var client = await ApiClient.ConnectAsync(_procs[member].Socket);
            await client.SendAsync("config.get", new JsonObject { ["path"] = $"{Section}.{key}.description" });
            return (await client.ReceiveAsync())?["ok"]?.GetValue<bool>() == true; // an item not there: a notfound error
        });
    }

    /// <summary>
    /// Read once every member has moved its journal into its file: that work is deferred, at a lower
    /// scheduling weight (Store/BackgroundPriority.cs), and belongs to the records written before.
    /// </summary>
    public async Task<IReadOnlyList<(double CpuSeconds, long? AllocatedBytes)>> CountersAsync()
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < _procs.Length; i++)
        {
            while ((await CallAsync(i, "status", []))!["store"]!["journalRecords"]!.GetValue<int>() > 0)
            {
                if (waited.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"member {i + 1} still has records in its journal after 120 s");
                await Task.Delay(20);
            }
        }
        var counters = new List<(double, long?)>();
        for (var i = 0; i < _procs.Length; i++)
        {
            var runtime = await CallAsync(i, "runtime", []);
            counters.Add((ProcCpu.Seconds(_procs[i].Pid), runtime!["allocatedBytes"]!.GetValue<long>()));
        }
        return counters;
    }

    /// <summary>The description is the value: the record stored is {"name":KEY,"description":VALUE}.</summary>
    private static JsonObject Item(string key, string value) => new() { ["name"] = key, ["fields"] = new JsonObject { ["description"] = value } };

    private sealed class Client(ApiClient api) : IKvClient
    {
        public async Task PutAsync(string key, string value)
        {
            var args = Item(key, value);
            args["section"] = Section;
            await api.CallAsync("config.add", args);
        }

        public async Task PutManyAsync(IReadOnlyList<(string Key, string Value)> records) =>
            await api.CallAsync("config.add", new JsonObject
            {
                ["section"] = Section,
                ["items"] = new JsonArray(records.Select(r => (JsonNode)Item(r.Key, r.Value)).ToArray()),
            });

        public void Dispose() => api.Dispose();
    }

    /// <summary>
    /// Replicated items appear in the configuration log as "locations.KEY replicated"; a commit of more
    /// than 20 records from peers (replication running behind on a loaded machine) as one line
    /// "N records replicated from peers" (Node/ReplicationLog.cs), which names none of them.
    /// </summary>
    private sealed class Watch(ApiClient follow, Func<string, Task<bool>> holds) : IKvWatch
    {
        private const string Prefix = Section + ".";

        public Task<bool> HoldsAsync(string key) => holds(key);

        public async Task<string> NextKeyAsync()
        {
            while (true)
            {
                var line = await follow.ReceiveAsync() ?? throw new IOException("log.follow ended");
                var entry = line["entry"]!;
                if (entry["channel"]?.GetValue<string>() != "peer") continue;
                if (entry["field"]?.GetValue<string>() is { } field && field.StartsWith(Prefix, StringComparison.Ordinal))
                    return field[Prefix.Length..];
                if (entry["field"] is null && entry["message"]?.GetValue<string>() is { } message && message.EndsWith("records replicated from peers", StringComparison.Ordinal))
                    return IKvWatch.SomeKeys;
            }
        }

        public void Dispose() => follow.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _procs) p.Dispose();
        _dir.Dispose();
        await Task.CompletedTask;
    }
}
