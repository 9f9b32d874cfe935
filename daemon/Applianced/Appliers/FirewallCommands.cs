using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// firewall.show|stage|activate|accept|rollback (R16). The CLI sends its key=value words as args:
/// <c>firewall stage name=web priority=10 protocol=tcp port=443 action=accept</c> adds or replaces a
/// staged rule, <c>firewall stage remove=web</c> drops one; <c>firewall activate seconds=N</c>.
/// </summary>
internal sealed class FirewallCommands(ConfigStore config, FirewallWindow window, FirewallApplier applier, TimeProvider time)
{
    public const int MaxWindowSeconds = 3600;

    public void Register(ApiRouter router) => router
        .Add("firewall.show", _ => Show())
        .Add("firewall.stage", r => config.Checked(() => Stage(r))) // a rule replaced is decided from the one read
        .Add("firewall.activate", Activate)
        .Add("firewall.accept", r => window.Accept(r.User, r.Channel)
            ? Show("firewall rule set accepted")
            : throw new ApiException(ApiException.Conflict, "no firewall activation is waiting to be accepted"))
        .Add("firewall.rollback", r => window.Rollback(r.User, r.Channel, $"rollback asked by {r.User}")
            ? Show("previous firewall rule set restored")
            : throw new ApiException(ApiException.Conflict, "there is no previous firewall rule set to restore"));

    private JsonObject Show(string? message = null)
    {
        var deadline = window.Deadline;
        var status = applier.Status;
        var result = new JsonObject
        {
            ["title"] = "firewall",
            ["applier"] = $"{status.State}: {status.Reason}",
            ["window"] = deadline is { } d
                ? $"activation waiting for accept: rolls back at {d.ToString("u", CultureInfo.InvariantCulture)} ({Math.Max(0, (d - time.GetUtcNow()).TotalSeconds):0} s left)"
                : "none",
            ["active"] = Table(window.Active),
            ["staged"] = Table(window.Staged),
        };
        if (message is not null) result["message"] = message;
        return result;
    }

    private JsonNode Stage(ApiRequest r)
    {
        var fields = r.Args.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value?.ToJsonString() ?? "");
        if (fields.Count == 0) return Show();
        if (fields.Remove("remove", out var removed))
        {
            if (fields.Count > 0) throw ApiException.BadArgs("firewall stage remove=NAME takes no other argument");
            var current = config.Item("firewall", removed) ?? throw new ApiException(ApiException.NotFound, $"no staged firewall rule '{removed}'", "name", removed);
            config.Change("firewall", removed, current, null, r, $"firewall.{removed}");
            return Show($"rule '{removed}' removed from the staged set; activate to use it");
        }
        if (!fields.Remove("name", out var name))
            throw ApiException.BadArgs("firewall stage needs name=NAME and the rule's fields (priority, source, protocol, port, action), or remove=NAME");
        var old = config.Item("firewall", name);
        // The model's rules are the firewall's: what config add accepts, staging accepts, and the host can run.
        var result = ConfigOps.CreateItem("firewall", name, fields);
        config.Change("firewall", name, old, result.Value, r, $"firewall.{name}");
        return Show($"rule '{name}' {(old is null ? "added to" : "replaced in")} the staged set; activate to use it");
    }

    private JsonNode Activate(ApiRequest r)
    {
        var text = r.OptionalString("seconds");
        var seconds = text is null ? (int)FirewallWindow.DefaultWindow.TotalSeconds
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= MaxWindowSeconds ? s
            : throw new ApiException(ApiException.Validation, $"seconds: '{text}' is not a whole number from 1 to {MaxWindowSeconds}", "seconds", text, $"1..{MaxWindowSeconds}");
        var extra = r.Args.Select(kv => kv.Key).Where(k => k != "seconds").ToList();
        if (extra.Count > 0) throw ApiException.BadArgs($"firewall activate takes only seconds=N, not '{extra[0]}'");
        try
        {
            window.Activate(TimeSpan.FromSeconds(seconds), r.User, r.Channel);
        }
        catch (ArgumentException e)
        {
            throw new ApiException(ApiException.Validation, e.Message, "firewall", null, "staged rules must be valid");
        }
        return Show($"activated; run 'firewall accept' within {seconds} s to keep it, or it rolls back");
    }

    private static JsonArray Table(IReadOnlyList<JsonObject> items) => new(items.Select(i => (JsonNode)ConfigDisplay.Display("firewall", i)).ToArray());
}
