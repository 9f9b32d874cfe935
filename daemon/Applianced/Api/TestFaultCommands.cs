using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Daemon.Health;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>
/// `test.hang`: stops one watched loop for good, so a test can show the systemd watchdog restart a
/// hung daemon. Registered only with --test-faults (testFaults), which only test builds accept
/// (DaemonOptions); everywhere else the command is unknown. Root only: not even a test image's
/// admin can hang the daemon.
/// </summary>
internal static class TestFaultCommands
{
    public const string Hang = "test.hang";

    public static void Register(ApiRouter router, IReadOnlyList<Heartbeat> loops, NodeLogs logs)
    {
        router.Add(Hang, r =>
        {
            if (r.User != "root")
                throw new ApiException(ApiException.Validation, $"'{Hang}' is for root only, not {r.User}");
            var name = r.RequiredString("loop");
            var loop = loops.FirstOrDefault(l => l.Name == name)
                ?? throw ApiException.BadArgs($"'{Hang}': 'loop' must be one of {string.Join(", ", loops.Select(l => l.Name))}, not '{TextRules.Escape(name)}'");
            logs.Event($"test fault: {r.Who} hung the {loop.Description}; the systemd watchdog stops being pinged", "warning");
            loop.Hang();
            return new JsonObject { ["loop"] = loop.Name, ["message"] = $"the {loop.Description} stops at its next turn" };
        });
    }
}
