using Appliance.Daemon.Config;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// What a joining peer gives up and what it brings (R9, R8): its shared configuration is replaced
/// by the cluster's, named section by section in the event and configuration logs (not only kept
/// in the pre-join copy); the status of its live conferences is merged into the cluster's.
/// </summary>
internal static class JoinSummary
{
    private const int NamesShown = 10;

    /// <summary>Conference status (R8) outlives a join: any peer must still answer for those conferences.</summary>
    public static bool Merged(StoredRecord r) =>
        r.Scope == Scopes.Cluster && ConfigSchema.TryGet(r.Section, out var def) && def.IsStatus;

    /// <summary>The shared records a join drops, by section (sorted), with their item names.</summary>
    public static IReadOnlyList<(string Section, IReadOnlyList<string> Items)> GivenUp(Store.Store store) =>
        store.Scan(Scopes.Cluster + "/").Where(r => !r.Deleted && !Merged(r))
            .GroupBy(r => r.Section, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(r => r.Key).Where(k => k.Length > 0).Order(StringComparer.Ordinal).ToList()))
            .ToList();

    public static string Describe(IReadOnlyList<(string Section, IReadOnlyList<string> Items)> givenUp) =>
        givenUp.Count == 0 ? "it had none" : string.Join("; ", givenUp.Select(g => Section(g.Section, g.Items)));

    private static string Section(string section, IReadOnlyList<string> items) => items.Count switch
    {
        0 => section,
        <= NamesShown => $"{section}: {string.Join(", ", items)}",
        _ => $"{section}: {string.Join(", ", items.Take(NamesShown))} and {items.Count - NamesShown} more",
    };

    /// <summary>One configuration log entry per section replaced, so `log config` says what the join took away.</summary>
    public static void Log(NodeLogs logs, IReadOnlyList<(string Section, IReadOnlyList<string> Items)> givenUp,
        Transport.HelloMessage cluster, string copy)
    {
        foreach (var (section, items) in givenUp)
        {
            logs.Config.Append(new LogEntry
            {
                Level = "change",
                Channel = "cluster",
                Field = section,
                Old = Section(section, items),
                New = $"(the cluster's, from {cluster.HostName})",
                Message = $"{section} replaced by the cluster's at the join (this peer's is in {Path.GetFileName(copy)})",
            });
        }
    }
}
