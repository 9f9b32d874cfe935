using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>Maintenance > Restart, System > Network (read with links to edit), and Logs (event and configuration).</summary>
internal sealed partial class WebSite
{
    private async Task RestartAsync(WebCall call)
    {
        if (call.Form is not null)
        {
            var done = await api.CallAsync("restart", null, call.User, call.Ct);
            await PageAsync(call, "Maintenance > Restart", $"<p class=\"flash\" id=\"restarting\">{E((string?)done["message"])}: log in again once it is back.</p>");
            return;
        }
        await PageAsync(call, "Maintenance > Restart",
            $"<p>Restarts the appliance software on this peer. Its configuration and the cluster are kept; the other peers go on serving meanwhile.</p>" +
            $"<form method=\"post\" action=\"/maintenance/restart\" id=\"restart\">{Token(call.Session)}<button type=\"submit\" id=\"restart-button\">Restart now</button></form>");
    }

    private async Task NetworkAsync(WebCall call)
    {
        var html = new StringBuilder("<p>The LAN address, mask and gateway change with the front panel or appliancectl, which keep a change only once it is confirmed from the new address.</p>");
        foreach (var section in new[] { "system", "ipv4", "ethernet", "dns", "ntp", "time" })
        {
            var values = (await api.CallAsync("config.show", new JsonObject { ["section"] = section }, call.User, call.Ct))["sections"]![0]!["values"]!.AsObject();
            var def = Config.ConfigSchema.Get(section);
            html.Append($"<h2>{E(section)}</h2><table id=\"{E(section)}\">");
            foreach (var f in def.Fields) html.Append($"<tr><th>{E(f.Name)}</th><td>{E(ConfigForms.Text(f, values[f.Name]))}</td></tr>");
            html.Append("</table>");
            var system = SystemPages.FirstOrDefault(p => p.Value.Sections.Contains(section));
            if (system.Key is not null) html.Append($"<p><a href=\"/system/{system.Key}\">Edit on {E(system.Value.Title)}</a></p>");
            else if (section != "ipv4" && ConfigForms.Find(section) is not null) html.Append($"<p><a href=\"/configuration/{section}\">Edit {E(section)}</a></p>");
        }
        await PageAsync(call, "System > Network", html.ToString());
    }

    private async Task LogsAsync(WebCall call)
    {
        var log = call.Http.Request.Query["log"].ToString() is "config" ? "config" : "events";
        JsonObject read;
        try { read = await api.CallAsync("log.read", new JsonObject { ["log"] = log, ["limit"] = 200 }, call.User, call.Ct); }
        catch (ApiException e) { await PageAsync(call, "Logs", Error(Message(e))); return; }
        var follow = call.Http.Request.Query["follow"] == "1";
        // Follow without script: the browser reloads the page every 5 s (the Refresh header).
        if (follow) call.Http.Response.Headers["Refresh"] = "5";
        var html = new StringBuilder()
            .Append("<p><a href=\"/logs?log=events\">Event log</a> | <a href=\"/logs?log=config\">Configuration log</a> | ")
            .Append(follow ? $"<a href=\"/logs?log={log}\">Stop following</a></p>" : $"<a href=\"/logs?log={log}&amp;follow=1\">Follow</a></p>");
        html.Append($"<table id=\"log\"><tr><th>Time</th><th>Level</th><th>Who</th><th>Message</th></tr>");
        foreach (var entry in read["entries"]!.AsArray().OfType<JsonObject>().Reverse())
        {
            var who = string.Join(" ", new[] { (string?)entry["user"], (string?)entry["onBehalfOf"] is { } b ? $"on behalf of {b}" : null, (string?)entry["channel"] is { } c ? $"({c})" : null }.Where(s => s is not null));
            var message = (string?)entry["message"] ?? $"{entry["field"]}: {entry["old"]?.ToJsonString()} -> {entry["new"]?.ToJsonString()}";
            html.Append($"<tr><td>{E((string?)entry["time"])}</td><td>{E((string?)entry["level"])}</td><td>{E(who)}</td><td>{E(message)}</td></tr>");
        }
        html.Append("</table>");
        await PageAsync(call, log == "config" ? "Logs > Configuration" : "Logs > Events", html.ToString());
    }
}
