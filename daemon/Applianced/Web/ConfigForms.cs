using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>
/// Forms made from the configuration model (the same field descriptions `config.sections` gives the
/// CLI): one input per field, a choice list for enums and booleans, a password input for secrets
/// (never filled in: empty keeps the stored one), the field's syntax beside it, and a refusal shown
/// beside the field it names.
/// </summary>
internal static class ConfigForms
{
    /// <summary>What the pages edit: every section an operator changes with config, but the cluster's own and local ones.</summary>
    public static IEnumerable<SectionDef> Editable() =>
        ConfigSchema.All.Where(d => !d.Observed && !d.IsStatus && d.ManagedBy is null && d.Scope != ConfigScope.Local);

    public static SectionDef? Find(string name) => Editable().FirstOrDefault(d => d.Name == name);

    /// <summary>A stored value as the text of its input: lists comma-separated, secrets never.</summary>
    public static string Text(FieldDef f, JsonNode? shown) =>
        f.IsSecret ? "" : shown switch
        {
            null => "",
            JsonArray list => string.Join(", ", list.Select(n => n?.ToString())),
            _ => shown.ToString(),
        };

    /// <summary>The field a refusal names ("bridges.b1.port" -> "port"), when the form has it.</summary>
    public static string? FieldOf(SectionDef def, ApiException e) =>
        e.Field?.Split('.')[^1] is { } last && def.FindField(last) is { } f ? f.Name : null;

    /// <summary>The inputs of <paramref name="def"/>'s fields (its name too when <paramref name="withName"/>).</summary>
    public static string Fields(SectionDef def, Func<FieldDef, string> value, bool withName, string? errorField, string? error)
    {
        var html = new StringBuilder();
        foreach (var f in def.Fields)
        {
            if (f.Name == SectionDef.NameField && !withName) continue;
            var d = FieldDescription.Describe(f);
            var id = "f-" + f.Name;
            var text = value(f);
            html.Append($"<p><label for=\"{id}\">{E(f.Name)}{(f.Required ? " *" : "")}</label>");
            if (d["choices"] is JsonArray choices)
            {
                html.Append($"<select id=\"{id}\" name=\"{E(f.Name)}\">");
                if (!f.Required) html.Append("<option value=\"\"></option>");
                foreach (var c in choices.Select(c => c!.ToString()))
                    html.Append($"<option{(c == text ? " selected" : "")}>{E(c)}</option>");
                html.Append("</select>");
            }
            else if (f.IsSecret)
                html.Append($"<input id=\"{id}\" name=\"{E(f.Name)}\" type=\"password\" autocomplete=\"new-password\" placeholder=\"{(withName ? "" : "unchanged when empty")}\">");
            else
                html.Append($"<input id=\"{id}\" name=\"{E(f.Name)}\" value=\"{E(text)}\">");
            html.Append($"<span class=\"help\">{E((string?)d["syntax"])}{(f.Help.Length > 0 ? ": " + E(f.Help) : "")}</span>");
            html.Append(FieldError(errorField == f.Name ? error : null)).Append("</p>");
        }
        return html.ToString();
    }
}
