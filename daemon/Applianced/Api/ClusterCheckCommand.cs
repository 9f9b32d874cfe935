using System.Text.Json.Nodes;
using Appliance.Daemon.Maintenance;

namespace Appliance.Daemon.Api;

/// <summary>cluster.check -> {checks:[{check, state, detail}]} (R5, R13).</summary>
internal static class ClusterCheckCommand
{
    public static JsonNode ToJson(IReadOnlyList<CheckResult> results) => new JsonObject
    {
        ["title"] = results.Any(r => r.State == CheckResult.Fail) ? "cluster check: blocked" : "cluster check: ok",
        ["checks"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["check"] = r.Check,
            ["state"] = r.State,
            ["detail"] = r.Detail,
        }).ToArray()),
    };
}
