using System.Text.Json.Nodes;
using Appliance.Daemon.Sip;

namespace Appliance.Daemon.Api;

/// <summary>calls.show: the calls this peer's B2BUA holds now (in memory only; each peer lists its own).</summary>
internal sealed class CallCommands(SipTrunk trunk)
{
    public void Register(ApiRouter router) => router.Add("calls.show", _ =>
    {
        var calls = trunk.Calls?.Calls ?? [];
        return new JsonObject
        {
            ["title"] = "calls on this peer",
            ["active"] = calls.Count,
            ["calls"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
            {
                ["callId"] = c.CallId,
                ["alias"] = c.Alias,
                ["conference"] = c.Conference,
                ["bridge"] = c.Bridge,
                ["state"] = c.State.ToString().ToLowerInvariant(),
                ["started"] = ApiTime.Text(c.Started),
            })]),
        };
    });
}
