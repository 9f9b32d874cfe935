using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>
/// Maintenance > Backup and restore: create a backup (optionally with a password), download one,
/// upload one and restore it. backup.create, backup.list, backup.download and the upload form of
/// backup.restore do the work, with their checks and messages (serial, version, size).
/// </summary>
internal sealed partial class WebSite
{
    private const string BackupRestorePath = "/maintenance/backup/restore";

    private JobPages RestorePages => new("Maintenance > Backup and restore", BackupRestorePath + "/progress", (c, e) => BackupPageAsync(c, null, e), done =>
        $"<p class=\"flash\" id=\"restored\">{E((string?)done["message"])}</p><p><a href=\"/login\">Log in again</a> once it is back.</p>", "/maintenance/backup");

    private async Task BackupPageAsync(WebCall call, string? error, ApiException? refused = null)
    {
        var list = await api.CallAsync("backup.list", null, call.User, call.Ct);
        var (pageError, fieldError, field) = Placed(refused, "Not restored: ", "backup", "password");
        var html = new StringBuilder(Error(error ?? pageError));
        html.Append($"<h2>Create a backup</h2><form method=\"post\" action=\"/maintenance/backup/create\" id=\"create\">{Token(call.Session)}")
            .Append("<p><label for=\"create-password\">Password (optional)</label><input id=\"create-password\" name=\"password\" type=\"password\" autocomplete=\"new-password\"><span class=\"help\">encrypts the backup; needed to restore it</span></p>")
            .Append("<p><button type=\"submit\" id=\"create-button\">Create backup</button></p></form>");
        html.Append("<h2>Backups on this peer</h2><table id=\"backups\"><tr><th>Name</th><th>Created</th><th>Bytes</th><th>Encrypted</th><th></th></tr>");
        foreach (var b in list["backups"]!.AsArray().OfType<JsonObject>())
        {
            var name = (string?)b["name"] ?? "";
            html.Append($"<tr><td>{E(name)}</td><td>{E((string?)b["created"])}</td><td>{E(b["bytes"]?.ToString())}</td><td>{E(b["encrypted"]?.ToString())}</td>")
                .Append($"<td><a class=\"download\" href=\"/maintenance/backup/download?name={E(Uri.EscapeDataString(name))}\" download>Download</a></td></tr>");
        }
        html.Append("</table>");
        html.Append($"<h2>Restore</h2><form method=\"post\" action=\"{BackupRestorePath}\" enctype=\"multipart/form-data\" id=\"restore\">{Token(call.Session)}")
            .Append($"<p><label for=\"restore-password\">Password (if encrypted)</label><input id=\"restore-password\" name=\"password\" type=\"password\" autocomplete=\"off\">{(field == "password" ? FieldError(fieldError) : "")}</p>")
            .Append($"<p><label for=\"restore-file\">Backup file</label><input id=\"restore-file\" name=\"backup\" type=\"file\" accept=\".gz,.enc\" required>{(field == "backup" ? FieldError(fieldError) : "")}</p>")
            .Append("<p><button type=\"submit\" id=\"restore-button\">Upload and restore</button><span class=\"help\">only a backup this peer made; the daemon restarts with it</span></p></form>");
        await PageAsync(call, "Maintenance > Backup and restore", html.ToString(), error is null && refused is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private async Task BackupCreateAsync(WebCall call)
    {
        var args = new JsonObject();
        if (call.Field("password") is { Length: > 0 } password) args["password"] = password;
        try
        {
            var made = await api.CallAsync("backup.create", args, call.User, call.Ct);
            Done(call, "/maintenance/backup", $"Backup {made["name"]} written ({made["bytes"]} bytes).");
        }
        catch (ApiException e)
        {
            await BackupPageAsync(call, Message(e));
        }
    }

    private async Task BackupDownloadAsync(WebCall call)
    {
        ApiDownload download;
        try
        {
            download = await api.DownloadAsync("backup.download", new JsonObject { ["name"] = call.Http.Request.Query["name"].ToString() }, call.User, call.Ct);
        }
        catch (ApiException e)
        {
            await BackupPageAsync(call, Message(e));
            return;
        }
        await using (download)
        {
            var response = call.Http.Response;
            response.ContentType = "application/octet-stream";
            response.ContentLength = download.Length;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName((string?)download.Result["name"]);
            response.Headers.ContentDisposition = disposition.ToString();
            await StreamCopy.CopyExactlyAsync(download.Content, response.Body, download.Length, call.Ct);
        }
    }

    private async Task RestoreAsync(WebCall call)
    {
        try
        {
            if (await UploadFormAsync(call, "backup.restore", "backup", f => f.GetValueOrDefault("password") is { Length: > 0 } p ? new JsonObject { ["password"] = p } : null) is { } job)
                await JobAnswerAsync(call, job, RestorePages);
        }
        catch (ApiException e)
        {
            await BackupPageAsync(call, null, e);
        }
    }
}
