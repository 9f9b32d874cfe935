using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// Staged, active and previous firewall rule sets and the accept window (R16). The config model's
/// "firewall" collection is the staged set; activation copies it into the ACTIVE record (shared:
/// every peer applies it) and opens a window on this peer. Unless accepted before the deadline the
/// previous active set is restored by itself. The window is kept in the local store scope, so a
/// restart during the window still rolls back (at once when the deadline has passed meanwhile).
/// </summary>
public sealed class FirewallWindow : IDisposable
{
    public const string ActiveSection = "firewall-active";
    public const string WindowKey = "firewall-window";
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(15);

    private readonly ConfigStore _config;
    private readonly NodeLogs _logs;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ITimer? _timer;

    public FirewallWindow(ConfigStore config, NodeLogs logs, TimeProvider time)
    {
        _config = config;
        _logs = logs;
        _time = time;
    }

    private Store.Store Store => _config.Store;

    public IReadOnlyList<JsonObject> Staged => _config.Items("firewall");

    /// <summary>The active operator rules (none before the first activation).</summary>
    public IReadOnlyList<JsonObject> Active => ReadActive().Rules;

    /// <summary>
    /// The active rules for the firewall applier, checked like anything a peer sends
    /// (<see cref="RecordCheck"/>): an invalid set throws <see cref="InvalidRecordException"/> and the
    /// host keeps the rules it runs, rather than losing the operator's drops.
    /// </summary>
    public IReadOnlyList<JsonObject> ActiveToApply()
    {
        var record = Store.Get(Scopes.Cluster, ActiveSection, "");
        if (record?.Value is null) return [];
        var (value, error) = RecordCheck.Validate(record);
        return error is null ? Items(value!["rules"]) ?? [] : throw new InvalidRecordException(record, error);
    }

    /// <summary>The pending window's deadline, or null.</summary>
    public DateTimeOffset? Deadline => ReadWindow()?.Deadline;

    /// <summary>Resumes a window a previous run left open: rolls back at once when its deadline passed.</summary>
    public void Start()
    {
        if (ReadWindow() is { } w) Schedule(w.Deadline);
    }

    public DateTimeOffset Activate(TimeSpan window, string user, string channel)
    {
        var staged = CheckedStaged(); // refuse a set the host cannot run before anything changes
        lock (_gate)
        {
            var current = ActiveOrNone();
            var open = ReadWindow();
            // A second activation inside a window keeps the set from before the first as the fallback.
            var fallback = open?.Previous ?? current;
            var deadline = _time.GetUtcNow() + window;
            Store.SetLocal(WindowKey, new JsonObject { ["deadline"] = deadline.ToString("o", CultureInfo.InvariantCulture), ["previous"] = Array(fallback) }.ToJsonString());
            WriteActive(staged, current);
            Schedule(deadline);
            Log(user, channel, "firewall.active", current, staged, $"firewall rule set activated ({staged.Count} rules); accept within {window.TotalSeconds:0} s or it rolls back");
            return deadline;
        }
    }

    /// <summary>Keeps the activated set; false when no window was open.</summary>
    public bool Accept(string user, string channel)
    {
        lock (_gate)
        {
            if (ReadWindow() is null) return false;
            Store.SetLocal(WindowKey, null);
            CancelTimer();
            _logs.Config.Append(new LogEntry { Level = "change", User = user, Channel = channel, Field = "firewall.active", Message = "firewall rule set accepted" });
            return true;
        }
    }

    /// <summary>Restores the set before the open window, or else the previous active set. False when there is nothing to restore.</summary>
    public bool Rollback(string user, string channel, string why)
    {
        lock (_gate)
        {
            var active = ReadActive();
            var window = ReadWindow();
            var target = window?.Previous ?? active.Previous;
            if (target is null) return false;
            Store.SetLocal(WindowKey, null);
            CancelTimer();
            WriteActive(target, active.Rules);
            Log(user, channel, "firewall.active", active.Rules, target, $"firewall rule set rolled back: {why}");
            _logs.Event($"firewall rule set rolled back ({why})", "warning");
            return true;
        }
    }

    /// <summary>The active rules to fall back to; an invalid set (from a peer or a restore) is no fallback, so none.</summary>
    private IReadOnlyList<JsonObject> ActiveOrNone()
    {
        try
        {
            return ActiveToApply();
        }
        catch (InvalidRecordException e)
        {
            _logs.Event($"the active firewall rules are not kept to roll back to: {e.Message}", "warning");
            return [];
        }
    }

    /// <summary>The staged rules, each checked like a record from a peer (a peer may have staged it); throws ArgumentException naming the first refused.</summary>
    private List<JsonObject> CheckedStaged() => Store.List(Scopes.Cluster, "firewall").Select(r => RecordCheck.Validate(r) switch
    {
        ({ } value, null) => value,
        (_, var error) => throw new ArgumentException($"staged rule {RecordCheck.Name(r)} (written by peer {r.Version.Origin}) cannot be activated: {error?.Message}; set it again or remove it"),
    }).ToList();

    private void Schedule(DateTimeOffset deadline)
    {
        CancelTimer();
        var due = deadline - _time.GetUtcNow();
        _timer = _time.CreateTimer(_ => Expired(deadline), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void Expired(DateTimeOffset deadline)
    {
        // Only the window that set this timer: an accept or a newer activation may have replaced it.
        try
        {
            if (ReadWindow() is { } w && w.Deadline == deadline)
                Rollback("applianced", "system", "not accepted before the accept window closed");
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or LiteDB.LiteException)
        {
            // Stopping while the window closes: the next start finds the window still open and rolls back then.
        }
    }

    private void CancelTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private void WriteActive(IReadOnlyList<JsonObject> rules, IReadOnlyList<JsonObject>? previous)
    {
        var value = new JsonObject { ["rules"] = Array(rules), ["previous"] = previous is null ? null : Array(previous) };
        Store.Write([new Mutation(Scopes.Cluster, ActiveSection, "", value.ToJsonString())]);
    }

    private (IReadOnlyList<JsonObject> Rules, IReadOnlyList<JsonObject>? Previous) ReadActive()
    {
        var raw = Store.Get(Scopes.Cluster, ActiveSection, "")?.Value;
        if (raw is null) return ([], null);
        var o = JsonNode.Parse(raw)!.AsObject();
        return (Items(o["rules"]) ?? [], Items(o["previous"]));
    }

    private (DateTimeOffset Deadline, IReadOnlyList<JsonObject> Previous)? ReadWindow()
    {
        var raw = Store.GetLocal(WindowKey);
        if (raw is null) return null;
        var o = JsonNode.Parse(raw)!.AsObject();
        return (DateTimeOffset.Parse(o["deadline"]!.GetValue<string>(), CultureInfo.InvariantCulture), Items(o["previous"]) ?? []);
    }

    private void Log(string user, string channel, string field, IReadOnlyList<JsonObject> old, IReadOnlyList<JsonObject> now, string message) =>
        _logs.Config.Append(new LogEntry { Level = "change", User = user, Channel = channel, Field = field, Old = Names(old), New = Names(now), Message = message });

    private static string Names(IReadOnlyList<JsonObject> rules) =>
        rules.Count == 0 ? "(no rules)" : string.Join(", ", rules.Select(r => r["name"]?.ToString()));

    private static JsonArray Array(IEnumerable<JsonObject> items) => new(items.Select(i => (JsonNode)i.DeepClone()).ToArray());

    private static IReadOnlyList<JsonObject>? Items(JsonNode? node) => node is JsonArray a ? a.Select(n => n!.AsObject()).ToList() : null;

    public void Dispose()
    {
        lock (_gate) CancelTimer();
    }
}
