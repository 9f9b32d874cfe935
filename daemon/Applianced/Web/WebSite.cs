using System.Text;
using Appliance.Daemon.Api;
using Appliance.Daemon.Node;
using Microsoft.AspNetCore.Http;

namespace Appliance.Daemon.Web;

/// <summary>One request of a logged-in session; Form is the posted form (token already checked), null for a GET.</summary>
internal sealed record WebCall(HttpContext Http, WebSession Session, IFormCollection? Form)
{
    public string User => Session.User!;
    public CancellationToken Ct => Http.RequestAborted;
    public string Field(string name) => Form?[name].ToString() ?? "";
}

/// <summary>
/// The HTTPS pages: secure headers on every answer, the login, and for everything else a live
/// session, plus the session's form token on every POST (403 without it). The pages themselves
/// (WebSite.*.cs) call the local API's commands through <see cref="WebApi"/>.
/// </summary>
internal sealed partial class WebSite(WebApi api, WebSessions sessions, LoginGuard guard, ConfigStore config)
{
    public const string TokenField = "_token";

    /// <summary>No script anywhere, styles from this origin only, no framing, forms post here only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private string Host => config.HostName;

    public async Task HandleAsync(HttpContext http)
    {
        SecureHeaders(http.Response);
        var path = http.Request.Path.Value ?? "/";
        var post = HttpMethods.IsPost(http.Request.Method);
        if (!post && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        if (path == "/app.css")
        {
            http.Response.ContentType = "text/css; charset=utf-8";
            await http.Response.WriteAsync(Html.Css, http.RequestAborted);
            return;
        }
        var session = sessions.Find(http.Request.Cookies[WebSessions.Cookie]);
        if (session?.User is not null && guard.Outdated(session))
        {
            sessions.End(session);
            session = null;
        }
        if (path == "/login")
        {
            await (post ? LoginPostAsync(http, session) : LoginPageAsync(http, session, null, ""));
            return;
        }
        if (session?.User is null)
        {
            // No page and no form without a session: a GET goes to the login, a POST is refused.
            if (post) await RefuseAsync(http, StatusCodes.Status403Forbidden, "Not logged in (or the session ended): log in again.");
            else http.Response.Redirect("/login", permanent: false);
            return;
        }
        IFormCollection? form = null;
        if (post)
        {
            form = await ReadFormAsync(http, session, path);
            if (form is null)
            {
                await RefuseAsync(http, StatusCodes.Status403Forbidden, "The form's token is missing or wrong (open the page again and resend the form).");
                return;
            }
        }
        var call = new WebCall(http, session, form);
        if (!await RouteAsync(call, path, post))
            await RefuseAsync(http, StatusCodes.Status404NotFound, $"No page {path}.");
    }

    /// <summary>The posted form when it carries this session's token; null otherwise. Uploads check their token themselves.</summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpContext http, WebSession session, string path)
    {
        if (UploadPaths.Contains(path)) return FormCollection.Empty; // multipart: the token is its first part (UploadFormAsync)
        if (!http.Request.HasFormContentType) return null;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        return session.TokenMatches(form[TokenField].ToString()) ? form : null;
    }

    private async Task<bool> RouteAsync(WebCall call, string path, bool post)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (parts, post)
        {
            case ([], false): await StatusAsync(call); return true;
            case (["logout"], true): Logout(call); return true;
            case (["system", "clustering"], _): await ClusteringAsync(call); return true;
            case (["system", "network"], false): await NetworkAsync(call); return true;
            case (["system", var page], _) when SystemPages.ContainsKey(page): await SystemPageAsync(call, page); return true;
            case (["configuration"], false): await ConfigurationIndexAsync(call); return true;
            case (["configuration", var section], _): await SectionAsync(call, section); return true;
            case (["configuration", var section, "add"], true): await AddItemAsync(call, section); return true;
            case (["configuration", var section, var item], _): await ItemAsync(call, section, item); return true;
            case (["configuration", var section, var item, "delete"], true): await DeleteItemAsync(call, section, item); return true;
            case (["maintenance", "backup"], false): await BackupPageAsync(call, null); return true;
            case (["maintenance", "backup", "create"], true): await BackupCreateAsync(call); return true;
            case (["maintenance", "backup", "download"], false): await BackupDownloadAsync(call); return true;
            case (["maintenance", "backup", "restore"], true): await RestoreAsync(call); return true;
            case (["maintenance", "backup", "restore", "progress"], false): await JobProgressAsync(call, "backup.restore", RestorePages, "/maintenance/backup"); return true;
            case (["maintenance", "restart"], _): await RestartAsync(call); return true;
            case (["maintenance", "upgrade"], false): await UpgradePageAsync(call, null); return true;
            case (["maintenance", "upgrade"], true): await UpgradeAsync(call); return true;
            case (["maintenance", "upgrade", "progress"], false): await JobProgressAsync(call, "upgrade.install", UpgradePages, UpgradePath); return true;
            case (["maintenance", "licences"], _): await LicencesAsync(call); return true;
            case (["logs"], false): await LogsAsync(call); return true;
            default: return false;
        }
    }

    private static void SecureHeaders(HttpResponse response)
    {
        var h = response.Headers;
        h.StrictTransportSecurity = "max-age=31536000";
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h.CacheControl = "no-store";
    }

    /// <summary>A whole page for the logged-in session, with the flash message of the last form if any.</summary>
    private Task PageAsync(WebCall call, string title, string body, int status = StatusCodes.Status200OK)
    {
        var flash = call.Session.Flash;
        call.Session.Flash = null;
        return WriteAsync(call.Http, status, Html.Page(title, body, call.Session, Host, flash));
    }

    /// <summary>After a form that changed something: back to a page (POST, redirect, GET), saying what happened.</summary>
    private static void Done(WebCall call, string path, string message)
    {
        call.Session.Flash = message;
        call.Http.Response.Redirect(path, permanent: false);
        call.Http.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private Task RefuseAsync(HttpContext http, int status, string message) =>
        WriteAsync(http, status, Html.Page("Refused", Html.Error(message) + "<p><a href=\"/\">Status</a> | <a href=\"/login\">Log in</a></p>", null, Host));

    private static async Task WriteAsync(HttpContext http, int status, string html)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(html, Encoding.UTF8, http.RequestAborted);
    }

    /// <summary>The text of a refusal as the CLI would print it, for a field or the page.</summary>
    private static string Message(ApiException e) => e.Message;
}
