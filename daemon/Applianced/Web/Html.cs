using System.Net;
using System.Text;

namespace Appliance.Daemon.Web;

/// <summary>
/// The pages' HTML: every value goes through <see cref="E"/> (encoded), the layout carries the menu
/// of the vendor guide (System, Configuration, Maintenance, Logs), and nothing needs JavaScript.
/// </summary>
internal static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>The hidden field that carries the session's form token; every form has it.</summary>
    public static string Token(WebSession session) => $"<input type=\"hidden\" name=\"{WebSite.TokenField}\" value=\"{E(session.FormToken)}\">";

    /// <summary>Green for "This system" and "Active as ...", red for anything else (the guide's colours).</summary>
    public static string PeerStatus(string status) =>
        $"<span class=\"{(status == "This system" || status.StartsWith("Active as ", StringComparison.Ordinal) ? "ok" : "bad")}\">{E(status)}</span>";

    public static string Error(string? message) => message is null ? "" : $"<p class=\"error\" role=\"alert\">{E(message)}</p>";

    /// <summary>An error next to a form field; empty when that field has none.</summary>
    public static string FieldError(string? message) => message is null ? "" : $"<span class=\"field-error\" role=\"alert\">{E(message)}</span>";

    private static readonly (string Path, string Label)[] Menu =
    [
        ("/", "Status"),
        ("/system/clustering", "System > Clustering"),
        ("/system/network", "System > Network"),
        ("/system/dns", "DNS"),
        ("/system/time", "Time"),
        ("/system/snmp", "SNMP"),
        ("/system/syslog", "Syslog"),
        ("/configuration", "Configuration"),
        ("/maintenance/backup", "Maintenance > Backup and restore"),
        ("/maintenance/upgrade", "Maintenance > Upgrade"),
        ("/maintenance/restart", "Maintenance > Restart"),
        ("/maintenance/licences", "Licences"),
        ("/logs", "Logs"),
    ];

    public static string Page(string title, string body, WebSession? session, string host, string? flash = null)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append($"<title>{E(title)} - {E(host)}</title><link rel=\"stylesheet\" href=\"/app.css\"></head><body>")
            .Append($"<header><span class=\"brand\">{E(host)}</span>");
        if (session?.User is { } user)
        {
            html.Append("<nav>");
            foreach (var (path, label) in Menu) html.Append($"<a href=\"{path}\">{E(label)}</a>");
            html.Append("</nav>")
                .Append($"<form method=\"post\" action=\"/logout\" class=\"logout\">{Token(session)}<span>{E(user)}</span> <button type=\"submit\">Log out</button></form>");
        }
        html.Append($"</header><main><h1>{E(title)}</h1>");
        if (flash is not null) html.Append($"<p class=\"flash\" role=\"status\">{E(flash)}</p>");
        html.Append(body).Append("</main></body></html>\n");
        return html.ToString();
    }

    public const string Css = """
        body { font-family: sans-serif; margin: 0; color: #222; background: #f6f7f9; }
        header { background: #1d3557; color: #fff; padding: .5em 1em; display: flex; flex-wrap: wrap; align-items: center; gap: 1em; }
        header a { color: #fff; text-decoration: none; margin-right: 1em; white-space: nowrap; display: inline-block; }
        header a:hover { text-decoration: underline; }
        .brand { font-weight: bold; }
        .logout { margin-left: auto; }
        main { padding: 1em 2em; }
        table { border-collapse: collapse; background: #fff; margin: .5em 0 1.5em; }
        th, td { border: 1px solid #ccd; padding: .3em .6em; text-align: left; vertical-align: top; }
        th { background: #e8ebf0; }
        .ok { color: #177a2b; font-weight: bold; }
        .bad { color: #b3261e; font-weight: bold; }
        .error, .field-error { color: #b3261e; }
        .field-error { margin-left: .5em; }
        .flash { background: #e6f4ea; border: 1px solid #177a2b; padding: .5em; }
        .error { background: #fce8e6; border: 1px solid #b3261e; padding: .5em; }
        form.inline { display: inline; }
        label { display: inline-block; min-width: 12em; }
        .help { color: #666; font-size: .85em; margin-left: .5em; }
        fieldset { background: #fff; border: 1px solid #ccd; margin-bottom: 1em; }
        """;
}
