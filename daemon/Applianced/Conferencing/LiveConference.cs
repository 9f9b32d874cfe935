using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Conferencing;

/// <summary>One record of the shared conference status (R8): where the conference runs and who placed it.</summary>
public sealed record LiveConference(string Name, string Bridge, string Template, int Participants, DateTimeOffset Started, string? PlacedBy)
{
    /// <summary>
    /// The placement this record stands for: a conference name placed twice (the split rule) differs
    /// in at least one of bridge, placing peer and start.
    /// </summary>
    public bool SamePlacement(LiveConference other) =>
        Bridge == other.Bridge && PlacedBy == other.PlacedBy && Started == other.Started;

    /// <summary>A stored (validated) conferences item; null when a field it needs is missing.</summary>
    public static LiveConference? From(JsonObject item)
    {
        var name = RuleContext.Text(item, SectionDef.NameField);
        var bridge = RuleContext.Text(item, "bridge");
        var template = RuleContext.Text(item, "template");
        var started = RuleContext.Text(item, "started");
        if (name is null || bridge is null || template is null || started is null
            || !DateTimeOffset.TryParse(started, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
            return null;
        var participants = item["participants"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
        return new LiveConference(name, bridge, template, participants, at, RuleContext.Text(item, "placedBy"));
    }

    /// <summary>The record placement writes for it (ConfigOps.Validate fills the rest).</summary>
    public JsonObject ToItem() => new()
    {
        [SectionDef.NameField] = Name,
        ["bridge"] = Bridge,
        ["template"] = Template,
        ["participants"] = Participants,
        ["started"] = Started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
        ["placedBy"] = PlacedBy,
    };
}

/// <summary>The cluster's multiparty licence capacity (R14: the sum of every peer's option keys), in participants.</summary>
public sealed record LicenceCapacity(int Personal, int Shared)
{
    public int Of(string licence) => licence == "personal" ? Personal : Shared;
}
