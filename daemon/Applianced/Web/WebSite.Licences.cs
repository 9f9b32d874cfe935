using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Microsoft.AspNetCore.Http;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>
/// Licences (licence.show, licence.add: keys pasted as text, refused whole with the line named) and
/// Maintenance > Upgrade (upgrade.status, and upgrade.install with the package and its signature as files).
/// </summary>
internal sealed partial class WebSite
{
    private const string UpgradePath = "/maintenance/upgrade";

    private async Task LicencesAsync(WebCall call)
    {
        string? error = null;
        if (call.Form is not null)
        {
            try
            {
                var added = await api.CallAsync("licence.add", new JsonObject { ["key"] = call.Field("keys") }, call.User, call.Ct);
                Done(call, "/maintenance/licences", $"{added["added"]!.AsArray().Count} licence key(s) added.");
                return;
            }
            catch (ApiException e) { error = Message(e); }
        }
        var shown = await api.CallAsync("licence.show", null, call.User, call.Ct);
        var html = new StringBuilder("<table id=\"licence\">");
        foreach (var key in new[] { "serial", "edition", "clustering", "vendorKey", "cluster" })
            html.Append($"<tr><th>{E(key)}</th><td>{E(shown[key]?.ToString())}</td></tr>");
        html.Append("</table><h2>Keys</h2><table id=\"keys\"><tr><th>Key</th><th>Detail</th><th>State</th></tr>");
        foreach (var k in shown["keys"]!.AsArray().OfType<JsonObject>())
            html.Append($"<tr><td>{E((string?)k["key"])}</td><td>{E((string?)k["detail"])}</td><td>{E((string?)k["state"])}</td></tr>");
        html.Append("</table><h2>Peers</h2><table id=\"licence-peers\"><tr><th>Peer</th><th>Edition</th><th>Personal multiparty</th><th>Shared multiparty</th></tr>");
        foreach (var p in shown["peers"]!.AsArray().OfType<JsonObject>())
            html.Append($"<tr><td>{E((string?)p["peer"])}</td><td>{E((string?)p["edition"])}</td><td>{E(p["personalMultiparty"]?.ToString())}</td><td>{E(p["sharedMultiparty"]?.ToString())}</td></tr>");
        html.Append($"</table><h2>Add keys</h2><form method=\"post\" action=\"/maintenance/licences\" id=\"add-keys\">{Token(call.Session)}")
            .Append($"<p><label for=\"keys\">Licence keys, one a line</label><textarea id=\"keys\" name=\"keys\" rows=\"4\" cols=\"60\"></textarea>{FieldError(error)}</p>")
            .Append("<p><button type=\"submit\" id=\"add-keys-button\">Add</button></p></form>");
        await PageAsync(call, "Licences", html.ToString(), error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private JobPages UpgradePages => new("Maintenance > Upgrade", UpgradePath + "/progress", UpgradePageAsync, done =>
        $"<p class=\"flash\" id=\"installed\">{E((string?)done["message"])}</p>" +
        "<p id=\"job-status\">The daemon restarts into the new version now; this page follows the upgrade until it is confirmed or rolled back (log in again once it is back).</p>", UpgradePath);

    private async Task UpgradePageAsync(WebCall call, ApiException? refused)
    {
        var status = await api.CallAsync("upgrade.status", null, call.User, call.Ct);
        var (pageError, fieldError, field) = Placed(refused, "Not installed: ", "package", "signature");
        var pending = (string?)status["pending"] is { } p && p != "none";
        // Without script: the page reloads while an upgrade waits for its confirmation (or roll-back).
        if (pending) call.Http.Response.Headers["Refresh"] = "2";
        var html = new StringBuilder(Error(pageError))
            .Append(pending ? "<p id=\"upgrade-state\" class=\"help\">An upgrade is in progress; this page reloads until it ends.</p>" : "")
            .Append("<table id=\"upgrade\">");
        foreach (var key in new[] { "running", "pending", "last" })
            html.Append($"<tr><th>{E(key)}</th><td id=\"upgrade-{key}\">{E(status[key]?.ToString())}</td></tr>");
        html.Append("</table><h2>Installed versions</h2><table id=\"versions\"><tr><th>Version</th><th>State</th></tr>");
        foreach (var v in status["versions"]!.AsArray().OfType<JsonObject>())
            html.Append($"<tr><td>{E((string?)v["version"])}</td><td>{E((string?)v["state"])}</td></tr>");
        html.Append($"</table><h2>Install</h2><form method=\"post\" action=\"{UpgradePath}\" enctype=\"multipart/form-data\" id=\"install\">{Token(call.Session)}")
            .Append($"<p><label for=\"signature\">Signature (.sig)</label><input id=\"signature\" name=\"signature\" type=\"file\" accept=\".sig\" required>{(field == "signature" ? FieldError(fieldError) : "")}</p>")
            .Append($"<p><label for=\"package\">Software package (.tar.gz)</label><input id=\"package\" name=\"package\" type=\"file\" accept=\".gz\" required>{(field == "package" ? FieldError(fieldError) : "")}</p>")
            .Append("<p><button type=\"submit\" id=\"install-button\">Upload and install</button><span class=\"help\">verified before anything changes; the daemon restarts into it and rolls back by itself unless it comes up</span></p></form>")
            .Append("<p class=\"help\">Peers of different versions do not replicate: take a peer out of the cluster, upgrade it, and add it again (one at a time).</p>");
        await PageAsync(call, "Maintenance > Upgrade", html.ToString(), refused is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private async Task UpgradeAsync(WebCall call)
    {
        try
        {
            if (await UploadFormAsync(call, "upgrade.install", "package", f => new JsonObject { ["signature"] = f.GetValueOrDefault("signature", "").Trim() }) is { } job)
                await JobAnswerAsync(call, job, UpgradePages);
        }
        catch (ApiException e)
        {
            await UpgradePageAsync(call, e);
        }
    }
}
