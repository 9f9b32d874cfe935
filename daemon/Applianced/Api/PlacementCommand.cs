using System.Text.Json.Nodes;
using Appliance.Daemon.Conferencing;

namespace Appliance.Daemon.Api;

/// <summary>
/// conferences.place {alias}: where a call to ALIAS arriving at this peer would go now, decided by the
/// same <see cref="ConferencePlacer"/> the SIP trunk's calls go through, without creating anything
/// (an operator's check of aliases, pools, bridge health and licences, and the tests' view of
/// placement on real state).
/// </summary>
internal sealed class PlacementCommand(ConferencePlacer placer)
{
    public void Register(ApiRouter router) => router.Add("conferences.place", r =>
    {
        var alias = r.RequiredString("alias");
        var decision = placer.Decide(alias);
        return new JsonObject
        {
            ["title"] = $"placement of {alias}",
            ["outcome"] = decision.Outcome.ToString().ToLowerInvariant(),
            ["sipStatus"] = decision.SipStatus == 0 ? null : decision.SipStatus,
            ["reason"] = decision.Reason,
            ["alias"] = decision.Alias,
            ["conference"] = decision.Conference,
            ["template"] = decision.Template,
            ["role"] = decision.Role,
            ["bridge"] = decision.Bridge,
        };
    });
}
