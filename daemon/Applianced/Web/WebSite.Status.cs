using System.Text;
using System.Text.Json.Nodes;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

internal sealed partial class WebSite
{
    private async Task StatusAsync(WebCall call)
    {
        var status = await api.CallAsync("status", null, call.User, call.Ct);
        var cluster = await api.CallAsync("cluster.show", null, call.User, call.Ct);
        var alarms = await api.CallAsync("alarms", null, call.User, call.Ct);
        var html = new StringBuilder("<h2>This peer</h2><table id=\"peer\">");
        foreach (var key in new[] { "host", "version", "cluster", "uptimeSeconds", "alarms" })
            html.Append($"<tr><th>{E(key == "uptimeSeconds" ? "uptime" : key)}</th><td>{E(key == "uptimeSeconds" ? Uptime((long?)status[key]) : status[key]?.ToString())}</td></tr>");
        html.Append("</table><h2>Peers</h2>").Append(PeersTable(cluster));
        html.Append("<h2>Alarms</h2>");
        var active = alarms["alarms"]!.AsArray().OfType<JsonObject>().Where(a => a["lowered"] is null).ToList();
        if (active.Count == 0) html.Append("<p id=\"alarms\" class=\"ok\">No alarms.</p>");
        else
        {
            html.Append("<table id=\"alarms\"><tr><th>Severity</th><th>Alarm</th><th>Raised</th></tr>");
            foreach (var a in active) html.Append($"<tr><td class=\"bad\">{E((string?)a["severity"])}</td><td>{E((string?)a["text"])}</td><td>{E((string?)a["raised"])}</td></tr>");
            html.Append("</table>");
        }
        html.Append("<h2>Appliers</h2><table id=\"appliers\"><tr><th>Applier</th><th>State</th><th>Detail</th></tr>");
        foreach (var a in status["appliers"]!.AsArray().OfType<JsonObject>())
        {
            var state = (string?)a["state"];
            html.Append($"<tr><td>{E((string?)a["name"])}</td><td class=\"{(state == "applied" ? "ok" : "bad")}\">{E(state)}</td><td>{E((string?)a["reason"])}</td></tr>");
        }
        html.Append("</table>");
        var bridges = (await api.CallAsync("bridges.status", null, call.User, call.Ct))["bridges"]!.AsArray().OfType<JsonObject>().ToList();
        if (bridges.Count > 0)
        {
            html.Append("<h2>Bridges</h2><table id=\"bridges\"><tr><th>Bridge</th><th>Seen by</th><th>State</th><th>In use</th><th>Reason</th></tr>");
            foreach (var b in bridges)
            {
                var state = (string?)b["state"];
                html.Append($"<tr><td>{E((string?)b["bridge"])}</td><td>{E((string?)b["peer"])}</td><td class=\"{(state == "usable" ? "ok" : "bad")}\">{E(state)}</td>")
                    .Append($"<td>{E(b["inUse"] is null ? "" : $"{b["inUse"]} of {b["max"]}")}</td><td>{E((string?)b["reason"])}</td></tr>");
            }
            html.Append("</table>");
        }
        await PageAsync(call, "Status", html.ToString());
    }

    /// <summary>Peer 1..3 with address, host and the status text in the guide's green or red.</summary>
    private static string PeersTable(JsonObject cluster)
    {
        var html = new StringBuilder("<table id=\"peers\"><tr><th>Peer</th><th>Address</th><th>Host</th><th>Status</th></tr>");
        foreach (var p in cluster["peers"]!.AsArray().OfType<JsonObject>())
        {
            var copy = (string?)p["copy"] is { } c ? $" <span class=\"help\">{E(c)}</span>" : "";
            html.Append($"<tr><td>{E((string?)p["peer"])}</td><td>{E((string?)p["address"])}</td><td>{E((string?)p["host"])}</td><td class=\"status\">{PeerStatus((string?)p["status"] ?? "")}{copy}</td></tr>");
        }
        if (cluster["peers"]!.AsArray().Count == 0) html.Append("<tr><td colspan=\"4\">Standalone: no peers are set.</td></tr>");
        return html.Append("</table>").ToString();
    }

    private static string Uptime(long? seconds)
    {
        var t = TimeSpan.FromSeconds(seconds ?? 0);
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h" : t.TotalHours >= 1 ? $"{t.Hours} h {t.Minutes} min" : $"{t.Minutes} min {t.Seconds} s";
    }
}
