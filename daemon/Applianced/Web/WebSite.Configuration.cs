using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Microsoft.AspNetCore.Http;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>
/// Configuration: the shared collections (bridges, locations, ...) listed, added, edited and
/// deleted, and the plain sections edited, through config.show / config.add / config.update /
/// config.remove, so a refusal is the model's own, shown beside its field.
/// </summary>
internal sealed partial class WebSite
{
    private async Task ConfigurationIndexAsync(WebCall call)
    {
        var html = new StringBuilder("<h2>Shared by all peers</h2><ul id=\"shared\">");
        foreach (var d in ConfigForms.Editable().Where(d => d.Scope == ConfigScope.Cluster))
            html.Append($"<li><a href=\"/configuration/{E(d.Name)}\">{E(d.Name)}</a> <span class=\"help\">{E(d.Help)}</span></li>");
        html.Append("</ul><h2>This peer only</h2><ul id=\"peer\">");
        foreach (var d in ConfigForms.Editable().Where(d => d.Scope == ConfigScope.Peer))
            html.Append($"<li><a href=\"/configuration/{E(d.Name)}\">{E(d.Name)}</a> <span class=\"help\">{E(d.Help)}</span></li>");
        html.Append("</ul>");
        await PageAsync(call, "Configuration", html.ToString());
    }

    private async Task SectionAsync(WebCall call, string name)
    {
        if (ConfigForms.Find(name) is not { } def) { await NoSectionAsync(call, name); return; }
        if (def.IsCollection)
        {
            if (call.Form is not null) { await NoSectionAsync(call, name); return; }
            await CollectionPageAsync(call, def, null, null, null);
            return;
        }
        var current = await ShownAsync(call, def, null);
        if (call.Form is null) { await EditPageAsync(call, def, null, current, null, null); return; }
        try
        {
            var changed = Changed(call, def, current);
            if (changed.Count > 0) await api.CallAsync("config.update", new JsonObject { ["section"] = def.Name, ["fields"] = changed }, call.User, call.Ct);
            Done(call, $"/configuration/{def.Name}", changed.Count == 0 ? "Nothing changed." : $"Saved {def.Name}: {string.Join(", ", changed.Select(c => c.Key))}.");
        }
        catch (ApiException e)
        {
            await EditPageAsync(call, def, null, current, ConfigForms.FieldOf(def, e), Message(e));
        }
    }

    private async Task ItemAsync(WebCall call, string section, string item)
    {
        if (ConfigForms.Find(section) is not { IsCollection: true } def) { await NoSectionAsync(call, section); return; }
        JsonObject current;
        try { current = await ShownAsync(call, def, item); }
        catch (ApiException e) { await PageAsync(call, section, Error(Message(e)), StatusCodes.Status404NotFound); return; }
        if (call.Form is null) { await EditPageAsync(call, def, item, current, null, null); return; }
        try
        {
            var changed = Changed(call, def, current);
            if (changed.Count > 0) await api.CallAsync("config.update", new JsonObject { ["section"] = def.Name, ["name"] = item, ["fields"] = changed }, call.User, call.Ct);
            Done(call, $"/configuration/{def.Name}", changed.Count == 0 ? $"{item}: nothing changed." : $"Saved {item}: {string.Join(", ", changed.Select(c => c.Key))}.");
        }
        catch (ApiException e)
        {
            await EditPageAsync(call, def, item, current, ConfigForms.FieldOf(def, e), Message(e));
        }
    }

    private async Task AddItemAsync(WebCall call, string section)
    {
        if (ConfigForms.Find(section) is not { IsCollection: true } def) { await NoSectionAsync(call, section); return; }
        var name = call.Field(SectionDef.NameField).Trim();
        var fields = new JsonObject();
        foreach (var f in def.Fields.Where(f => f.Name != SectionDef.NameField && call.Field(f.Name).Length > 0))
            fields[f.Name] = call.Field(f.Name);
        try
        {
            await api.CallAsync("config.add", new JsonObject { ["section"] = def.Name, ["name"] = name, ["fields"] = fields }, call.User, call.Ct);
            Done(call, $"/configuration/{def.Name}", $"Added {name}.");
        }
        catch (ApiException e)
        {
            await CollectionPageAsync(call, def, call.Form, ConfigForms.FieldOf(def, e) ?? (e.Field == def.Name ? SectionDef.NameField : null), Message(e));
        }
    }

    private async Task DeleteItemAsync(WebCall call, string section, string item)
    {
        if (ConfigForms.Find(section) is not { IsCollection: true } def) { await NoSectionAsync(call, section); return; }
        try
        {
            await api.CallAsync("config.remove", new JsonObject { ["section"] = def.Name, ["name"] = item }, call.User, call.Ct);
            Done(call, $"/configuration/{def.Name}", $"Deleted {item}.");
        }
        catch (ApiException e)
        {
            await CollectionPageAsync(call, def, null, null, $"{item} not deleted: {Message(e)}");
        }
    }

    private async Task CollectionPageAsync(WebCall call, SectionDef def, IFormCollection? typed, string? errorField, string? error)
    {
        var shown = await api.CallAsync("config.show", new JsonObject { ["section"] = def.Name }, call.User, call.Ct);
        var items = shown["sections"]![0]!["items"]!.AsArray().OfType<JsonObject>().ToList();
        var columns = def.Fields.Where(f => !f.IsSecret).ToList();
        var html = new StringBuilder($"<p class=\"help\">{E(def.Help)}</p>");
        if (errorField is null && error is not null) html.Append(Error(error));
        html.Append($"<table id=\"items\"><tr>{string.Concat(columns.Select(c => $"<th>{E(c.Name)}</th>"))}<th></th></tr>");
        foreach (var item in items)
        {
            var name = (string?)item[SectionDef.NameField] ?? "";
            html.Append("<tr>").Append(string.Concat(columns.Select(c => $"<td>{E(ConfigForms.Text(c, item[c.Name]))}</td>")))
                .Append($"<td><a href=\"/configuration/{E(def.Name)}/{E(Uri.EscapeDataString(name))}\">Edit</a> ")
                .Append($"<form class=\"inline\" method=\"post\" action=\"/configuration/{E(def.Name)}/{E(Uri.EscapeDataString(name))}/delete\">{Token(call.Session)}<button type=\"submit\">Delete</button></form></td></tr>");
        }
        if (items.Count == 0) html.Append($"<tr><td colspan=\"{columns.Count + 1}\">None yet.</td></tr>");
        html.Append($"</table><h2>Add</h2><form method=\"post\" action=\"/configuration/{E(def.Name)}/add\" id=\"add\">{Token(call.Session)}<fieldset>")
            .Append(ConfigForms.Fields(def, f => typed is null ? ConfigForms.Text(f, f.DefaultValue()) : f.IsSecret ? "" : typed[f.Name].ToString(), true, errorField, error))
            .Append("<p><button type=\"submit\" id=\"add-button\">Add</button></p></fieldset></form>");
        await PageAsync(call, $"Configuration > {def.Name}", html.ToString(), error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private async Task EditPageAsync(WebCall call, SectionDef def, string? item, JsonObject current, string? errorField, string? error)
    {
        var action = item is null ? $"/configuration/{def.Name}" : $"/configuration/{def.Name}/{Uri.EscapeDataString(item)}";
        var html = new StringBuilder($"<p class=\"help\">{E(def.Help)}{(def.Scope == ConfigScope.Peer ? " (this peer only)" : " (shared by all peers)")}</p>");
        if (error is not null) html.Append(Error(errorField is null ? error : "Not saved: see the message beside the field."));
        // A refused form shows what was typed, so nothing typed is lost; secrets are never shown again.
        html.Append($"<form method=\"post\" action=\"{E(action)}\" id=\"edit\">{Token(call.Session)}<fieldset>")
            .Append(ConfigForms.Fields(def, f => call.Form is { } typed ? (f.IsSecret ? "" : typed[f.Name].ToString()) : ConfigForms.Text(f, current[f.Name]), false, errorField, error))
            .Append("<p><button type=\"submit\" id=\"save\">Save</button></p></fieldset></form>");
        await PageAsync(call, item is null ? $"Configuration > {def.Name}" : $"Configuration > {def.Name} > {item}", html.ToString(),
            error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>The fields the form changes: a typed secret, or a value that differs from the stored one ([] back to the default).</summary>
    private static JsonObject Changed(WebCall call, SectionDef def, JsonObject current)
    {
        var changed = new JsonObject();
        foreach (var f in def.Fields.Where(f => f.Name != SectionDef.NameField && call.Form!.ContainsKey(f.Name)))
        {
            var text = call.Field(f.Name).Trim();
            if (f.IsSecret ? text.Length == 0 : text == ConfigForms.Text(f, current[f.Name])) continue;
            changed[f.Name] = text.Length == 0 ? new JsonArray() : new JsonArray(text);
        }
        return changed;
    }

    private async Task<JsonObject> ShownAsync(WebCall call, SectionDef def, string? item)
    {
        if (item is null)
            return (await api.CallAsync("config.show", new JsonObject { ["section"] = def.Name }, call.User, call.Ct))["sections"]![0]!["values"]!.AsObject();
        return (await api.CallAsync("config.get", new JsonObject { ["path"] = $"{def.Name}.{item}" }, call.User, call.Ct))["value"]!.AsObject();
    }

    private Task NoSectionAsync(WebCall call, string name) =>
        PageAsync(call, "Configuration", Error($"No configuration page '{name}'."), StatusCodes.Status404NotFound);
}
