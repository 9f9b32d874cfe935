using System.Text.Json.Serialization;

namespace Appliance.Daemon.Logs;

/// <summary>One line of the event log or the configuration log.</summary>
public sealed record LogEntry
{
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>Event log: info, warning, error. Configuration log: change, conflict.</summary>
    public string Level { get; init; } = "info";
    public string Message { get; init; } = "";
    /// <summary>The operating-system user of the process that asked (read from the API socket).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; init; }
    /// <summary>The user a front door that logs its own users in (web) acted for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? OnBehalfOf { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Channel { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Field { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Old { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? New { get; init; }
}
