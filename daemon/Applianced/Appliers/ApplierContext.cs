using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Appliers;

/// <summary>What every applier reads from: this peer's configuration, its logs, the HAL and the cluster peer list.</summary>
public sealed record ApplierContext(ConfigStore Config, NodeLogs Logs, HalSet Hal, Func<IReadOnlyList<string>> ClusterPeers)
{
    /// <summary>How often each applier re-applies to repair drift when nothing changed.</summary>
    public TimeSpan DriftInterval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>True for a record of this peer's own scope in one of <paramref name="sections"/> (peer-specific records are applied only by their owner).</summary>
    public bool IsOwn(StoredRecord r, params string[] sections) => r.Scope == Config.OwnScope && sections.Contains(r.Section);

    public static bool IsShared(StoredRecord r, params string[] sections) => r.Scope == Scopes.Cluster && sections.Contains(r.Section);

    public string? Text(string section, string field) =>
        Config.Read(section)[field] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    public IReadOnlyList<string> List(string section, string field) =>
        Config.Read(section)[field] is System.Text.Json.Nodes.JsonArray a
            ? a.Select(n => n?.GetValue<string>()).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList()
            : [];
}
