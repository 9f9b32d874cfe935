using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Microsoft.AspNetCore.Http;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>
/// System > DNS, Time, SNMP and Syslog (the guide's menus): each a form per configuration section
/// of this peer, saved with config.update like Configuration's own pages, a refusal beside its field.
/// </summary>
internal sealed partial class WebSite
{
    private const string SectionField = "_section";

    /// <summary>The pages under System, each with the sections it edits (Time: the zone and the NTP servers).</summary>
    public static readonly IReadOnlyDictionary<string, (string Title, string[] Sections)> SystemPages = new Dictionary<string, (string, string[])>(StringComparer.Ordinal)
    {
        ["dns"] = ("System > DNS", ["dns"]),
        ["time"] = ("System > Time", ["time", "ntp"]),
        ["snmp"] = ("System > SNMP", ["snmp"]),
        ["syslog"] = ("System > Syslog", ["syslog"]),
    };

    private async Task SystemPageAsync(WebCall call, string page)
    {
        var (title, sections) = SystemPages[page];
        var defs = sections.Select(s => ConfigForms.Find(s)!).ToList();
        var current = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var def in defs) current[def.Name] = await ShownAsync(call, def, null);
        if (call.Form is null) { await SystemFormsAsync(call, title, page, defs, current, null, null, null); return; }
        var posted = defs.FirstOrDefault(d => d.Name == call.Field(SectionField));
        if (posted is null) { await NoSectionAsync(call, call.Field(SectionField)); return; }
        try
        {
            var changed = Changed(call, posted, current[posted.Name]);
            if (changed.Count > 0) await api.CallAsync("config.update", new JsonObject { ["section"] = posted.Name, ["fields"] = changed }, call.User, call.Ct);
            Done(call, $"/system/{page}", changed.Count == 0 ? "Nothing changed." : $"Saved {posted.Name}: {string.Join(", ", changed.Select(c => c.Key))}.");
        }
        catch (ApiException e)
        {
            await SystemFormsAsync(call, title, page, defs, current, posted, ConfigForms.FieldOf(posted, e), Message(e));
        }
    }

    /// <summary>One form per section; the refused one shows what was typed and the refusal beside its field.</summary>
    private async Task SystemFormsAsync(WebCall call, string title, string page, IReadOnlyList<SectionDef> defs, Dictionary<string, JsonObject> current,
        SectionDef? refused, string? errorField, string? error)
    {
        var html = new StringBuilder("<p class=\"help\">Settings of this peer only; each peer of a cluster has its own.</p>");
        if (error is not null) html.Append(Error(errorField is null ? error : "Not saved: see the message beside the field."));
        foreach (var def in defs)
        {
            var typed = def == refused ? call.Form : null;
            html.Append($"<h2>{E(def.Help)}</h2><form method=\"post\" action=\"/system/{page}\" id=\"edit-{E(def.Name)}\">{Token(call.Session)}")
                .Append($"<input type=\"hidden\" name=\"{SectionField}\" value=\"{E(def.Name)}\"><fieldset>")
                .Append(ConfigForms.Fields(def, f => typed is not null ? (f.IsSecret ? "" : typed[f.Name].ToString()) : ConfigForms.Text(f, current[def.Name][f.Name]),
                    false, def == refused ? errorField : null, def == refused ? error : null))
                .Append($"<p><button type=\"submit\" id=\"save-{E(def.Name)}\">Save</button></p></fieldset></form>");
        }
        await PageAsync(call, title, html.ToString(), error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }
}
