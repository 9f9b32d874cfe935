using System.Text.Json.Nodes;
using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>conferences.show: the live conferences of the shared status (R8), the same on every peer.</summary>
internal sealed class ConferenceCommands(ConfigStore config)
{
    public void Register(ApiRouter router) => router.Add("conferences.show", _ => Show());

    private JsonObject Show()
    {
        var live = LiveConferences.Read(config)
            .OrderBy(c => c.Started).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        return new JsonObject
        {
            ["title"] = "live conferences",
            ["live"] = live.Count,
            ["participants"] = live.Sum(c => c.Participants),
            ["conferences"] = new JsonArray([.. live.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["bridge"] = c.Bridge,
                ["template"] = c.Template,
                ["participants"] = c.Participants,
                ["started"] = ApiTime.Text(c.Started),
                ["placedBy"] = PeerName(c.PlacedBy),
            })]),
        };
    }

    /// <summary>"peer2 (this peer)", the placing peer's host name, or its id when this peer holds none of its records.</summary>
    private string? PeerName(string? peerId)
    {
        if (peerId is null) return null;
        if (peerId == config.Store.PeerId) return $"{config.HostName} (this peer)";
        return config.Store.PeerScopes().Contains(Store.Scopes.Peer(peerId))
            ? config.Read("system", peerId)["hostname"]?.GetValue<string>() ?? peerId
            : peerId;
    }
}
