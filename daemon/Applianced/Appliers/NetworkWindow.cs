using System.Globalization;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// The confirm window of a network change made from afar (issue 20; the firewall's accept window,
/// <see cref="FirewallWindow"/>, for the settings that can lock an admin out): a change of
/// ipv4.address, ipv4.mask, ipv4.gateway or ethernet.speed over SSH, the API or the web applies at
/// once, and unless `config confirm` comes before the deadline the values from before the window
/// come back by themselves. The window is kept in the local store scope, so a restart during it
/// still reverts (at once when the deadline passed meanwhile). The front panel and the local
/// console change these settings without a window: whoever stands at the box cannot be locked out.
/// </summary>
public sealed partial class NetworkWindow(ConfigStore config, NodeLogs logs, TimeProvider time) : IDisposable
{
    public const string WindowKey = "network-window";
    public static readonly TimeSpan DefaultLength = TimeSpan.FromSeconds(60);

    /// <summary>The settings a window guards, by section.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Guarded = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["ipv4"] = ["address", "mask", "gateway"],
        ["ethernet"] = ["speed"],
    };

    private readonly Lock _gate = new();
    private ITimer? _timer;

    /// <summary>How long a change waits for `config confirm` (applianced's --network-confirm-seconds).</summary>
    public TimeSpan Length { get; init; } = DefaultLength;

    /// <summary>Raised when a window opens or closes (the front panel shows it).</summary>
    public event Action? Changed;

    /// <summary>A change of <paramref name="section"/>.<paramref name="field"/> on <paramref name="channel"/> needs a window.</summary>
    public static bool Guards(string section, string? field, string channel) =>
        field is not null && Guarded.TryGetValue(section, out var fields) && fields.Contains(field) && channel is not ("lcd" or "console");

    /// <summary>The open window: what changed and when it reverts; null when none is open.</summary>
    public (IReadOnlyList<string> Changed, DateTimeOffset Deadline)? Current => ReadWindow() is { } w ? (w.Changed, w.Deadline) : null;

    /// <summary>The time left before the open window reverts, or null.</summary>
    public TimeSpan? Left => Current is { } w ? Max(w.Deadline - time.GetUtcNow()) : null;

    /// <summary>Resumes a window a previous run left open: reverts at once when its deadline passed.</summary>
    public void Start()
    {
        if (ReadWindow() is { } w) Schedule(w.Deadline);
    }

    /// <summary>
    /// Opens (or extends) the window before <paramref name="path"/> changes: the values from before
    /// the first change of a window are the ones that come back, and each change restarts the clock.
    /// </summary>
    public DateTimeOffset Open(string path, string who, string channel)
    {
        var deadline = time.GetUtcNow() + Length;
        lock (_gate)
        {
            var open = ReadWindow();
            var previous = open?.Previous ?? Snapshot();
            var changed = (open?.Changed ?? []).Append(path).Distinct(StringComparer.Ordinal).ToList();
            WriteWindow(deadline, changed, previous);
            Schedule(deadline);
            logs.Event($"network change {path} by {who} ({channel}) applied inside a {Length.TotalSeconds:0} s confirm window: "
                + $"run `config confirm` before {Text(deadline)}, or the previous values of {string.Join(", ", changed)} come back by themselves", "warning");
        }
        Changed?.Invoke();
        return deadline;
    }

    /// <summary>Keeps the changes of the open window; false when none is open.</summary>
    public bool Confirm(string who, string channel)
    {
        lock (_gate)
        {
            if (ReadWindow() is not { } w) return false;
            config.Store.SetLocal(WindowKey, null);
            CancelTimer();
            logs.Event($"network change confirmed by {who} ({channel}): {string.Join(", ", w.Changed)} kept");
        }
        Changed?.Invoke();
        return true;
    }

    public void Dispose()
    {
        lock (_gate) CancelTimer();
    }

    private static TimeSpan Max(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    public static string Text(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
