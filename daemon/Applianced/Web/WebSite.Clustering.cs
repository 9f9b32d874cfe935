using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Microsoft.AspNetCore.Http;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>
/// System > Clustering, as the guide has it: the cluster pre-shared key, Peer 1..3 addresses, Save,
/// and beside each address its status as this peer sees it ("This system", "Active as HOST" in
/// green; any other reason in red). Save calls the CLI's cluster commands: set-peers, then set-key
/// when a key was typed; clearing the key and every address takes the peer out (cluster.leave).
/// </summary>
internal sealed partial class WebSite
{
    private const int MaxPeers = 3;

    private async Task ClusteringAsync(WebCall call)
    {
        if (call.Form is null)
        {
            await ClusteringPageAsync(call, null, null, null);
            return;
        }
        var key = call.Field("key");
        var peers = Enumerable.Range(1, MaxPeers).Select(i => call.Field($"peer{i}").Trim()).ToArray();
        var addresses = peers.Where(p => p.Length > 0).ToList();
        var shown = await api.CallAsync("cluster.show", null, call.User, call.Ct);
        var current = shown["peers"]!.AsArray().Select(p => (string)p!["address"]!).ToList();
        var messages = new List<string>();
        string? field = null;
        try
        {
            if (key.Length == 0 && addresses.Count == 0)
            {
                if (current.Count > 0 || (string?)shown["key"] == "set")
                    messages.Add((string)(await api.CallAsync("cluster.leave", null, call.User, call.Ct))["message"]!);
            }
            else
            {
                field = "peers";
                if (!addresses.Order(StringComparer.Ordinal).SequenceEqual(current.Order(StringComparer.Ordinal)))
                    messages.AddRange(Warnings(await api.CallAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray([.. addresses.Select(a => (JsonNode)a)]) }, call.User, call.Ct)));
                field = "key";
                if (key.Length > 0)
                    messages.AddRange(Warnings(await api.CallAsync("cluster.setKey", new JsonObject { ["key"] = key }, call.User, call.Ct)));
            }
        }
        catch (ApiException e)
        {
            var keySaved = field == "key" ? " (the peer addresses were saved)" : "";
            await ClusteringPageAsync(call, peers, field == "key" ? Message(e) + keySaved : null, field == "peers" ? (Message(e), e.Value) : null);
            return;
        }
        Done(call, "/system/clustering", messages.Count == 0 ? "Saved." : "Saved. " + string.Join(" ", messages));
    }

    private async Task ClusteringPageAsync(WebCall call, string[]? typed, string? keyError, (string Message, string? Value)? peersError)
    {
        var shown = await api.CallAsync("cluster.show", null, call.User, call.Ct);
        var rows = shown["peers"]!.AsArray().OfType<JsonObject>().ToList();
        var values = typed ?? Enumerable.Range(0, MaxPeers).Select(i => i < rows.Count ? (string?)rows[i]["address"] ?? "" : "").ToArray();
        // The error goes beside the address it names, else beside Peer 1.
        var errorAt = peersError is { } pe ? Math.Max(0, Array.IndexOf(values, pe.Value ?? "\0")) : -1;
        var html = new StringBuilder();
        if (keyError is not null || peersError is not null) html.Append(Error("Not saved: see the message beside the field."));
        html.Append($"<form method=\"post\" action=\"/system/clustering\" id=\"clustering\">{Token(call.Session)}<fieldset><legend>Cluster</legend>");
        html.Append($"<p class=\"help\">Cluster ID: {E((string?)shown["clusterId"] is { Length: > 0 } id ? id : "none (standalone)")}</p>");
        html.Append($"<p><label for=\"key\">Cluster pre-shared key</label><input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"off\" placeholder=\"{((string?)shown["key"] == "set" ? "set (unchanged when empty)" : "not set")}\">{FieldError(keyError)}</p>");
        for (var i = 0; i < MaxPeers; i++)
        {
            var address = values[i];
            var row = rows.FirstOrDefault(r => (string?)r["address"] == address && address.Length > 0);
            var status = row is null ? "" : $" <span class=\"status\" id=\"status{i + 1}\">{PeerStatus((string?)row["status"] ?? "")}</span>";
            html.Append($"<p><label for=\"peer{i + 1}\">Peer {i + 1} IP address</label><input id=\"peer{i + 1}\" name=\"peer{i + 1}\" value=\"{E(address)}\">{status}{FieldError(i == errorAt ? peersError!.Value.Message : null)}</p>");
        }
        html.Append("<p><button type=\"submit\" id=\"save\">Save</button></p></fieldset></form>");
        html.Append("<p class=\"help\">Every peer lists the same addresses, its own included. Clearing the key and all addresses makes this peer standalone; it keeps its data.</p>");
        html.Append("<h2>Status</h2>").Append(PeersTable(shown));
        await PageAsync(call, "System > Clustering", html.ToString(), keyError is null && peersError is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private static IEnumerable<string> Warnings(JsonObject result) =>
        result["warnings"] is JsonArray w ? w.Select(n => n?.ToString() ?? "") : [];
}
