using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Health;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>
/// Test faults, registered only with --test-faults (testFaults), which only test builds accept
/// (DaemonOptions); everywhere else the commands are unknown. Root only: not even a test image's
/// admin can use them. `test.hang` stops one watched loop for good, so a test can show the systemd
/// watchdog restart a hung daemon; `test.slow` paces recovery pulls, so a test can watch a join's
/// progress in `cluster show`.
/// </summary>
internal static class TestFaultCommands
{
    public const string Hang = "test.hang";
    public const string Slow = "test.slow";

    /// <summary>The longest pause `test.slow` takes: a paced pull must still end within its 5-minute limit.</summary>
    public const int MaxPauseMs = 2000;

    public static void Register(ApiRouter router, IReadOnlyList<Heartbeat> loops, ClusterService cluster, NodeLogs logs)
    {
        router.Add(Hang, r =>
        {
            RootOnly(r);
            var name = r.RequiredString("loop");
            var loop = loops.FirstOrDefault(l => l.Name == name)
                ?? throw ApiException.BadArgs($"'{Hang}': 'loop' must be one of {string.Join(", ", loops.Select(l => l.Name))}, not '{TextRules.Escape(name)}'");
            logs.Event($"test fault: {r.Who} hung the {loop.Description}; the systemd watchdog stops being pinged", "warning");
            loop.Hang();
            return new JsonObject { ["loop"] = loop.Name, ["message"] = $"the {loop.Description} stops at its next turn" };
        });
        router.Add(Slow, r =>
        {
            RootOnly(r);
            var pause = r.OptionalInt("recoveryBatchMs", 0, MaxPauseMs)
                ?? throw ApiException.BadArgs($"'{Slow}' needs 'recoveryBatchMs' (0..{MaxPauseMs}): the pause after each batch of records a recovery pull merges");
            cluster.RecoveryBatchPause = TimeSpan.FromMilliseconds(pause);
            logs.Event($"test fault: {r.Who} set a pause of {pause} ms after each batch of records a recovery pull merges", "warning");
            return new JsonObject { ["recoveryBatchMs"] = pause };
        });
    }

    private static void RootOnly(ApiRequest r)
    {
        if (r.User != "root")
            throw new ApiException(ApiException.Validation, $"'{r.Cmd}' is for root only, not {r.User}");
    }
}
