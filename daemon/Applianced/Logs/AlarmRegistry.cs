namespace Appliance.Daemon.Logs;

/// <summary>
/// Alarms raised and lowered by conditions. Raising an active alarm again only updates its text
/// (measurements such as a peer's RTT change it on every heartbeat): only the first raise, a
/// change of severity and the lower go to the event log. Lowered alarms stay listed for a while.
/// </summary>
public sealed class AlarmRegistry(JsonLinesLog events, TimeProvider time)
{
    public const string Warning = "warning";
    public const string Error = "error";
    private const int KeepLowered = 50;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Alarm> _active = [];
    private readonly List<Alarm> _lowered = [];

    public event Action? Changed;

    public void Raise(string id, string severity, string text)
    {
        bool logged;
        lock (_gate)
        {
            if (_active.TryGetValue(id, out var existing) && existing.Text == text && existing.Severity == severity) return;
            _active[id] = new Alarm(id, severity, text, existing?.Raised ?? time.GetUtcNow(), null);
            logged = existing is null || existing.Severity != severity;
        }
        if (logged) events.Append(new LogEntry { Level = severity, Message = $"alarm raised: {id}: {text}" });
        Changed?.Invoke();
    }

    public void Lower(string id)
    {
        Alarm? alarm;
        lock (_gate)
        {
            if (!_active.Remove(id, out alarm)) return;
            _lowered.Add(alarm with { Lowered = time.GetUtcNow() });
            if (_lowered.Count > KeepLowered) _lowered.RemoveAt(0);
        }
        events.Append(new LogEntry { Message = $"alarm lowered: {id}: {alarm.Text}" });
        Changed?.Invoke();
    }

    /// <summary>Raises or lowers depending on a condition, the common case for appliers and checks.</summary>
    public void Set(string id, bool raised, string severity, string text)
    {
        if (raised) Raise(id, severity, text);
        else Lower(id);
    }

    public IReadOnlyList<Alarm> Active()
    {
        lock (_gate) return _active.Values.OrderBy(a => a.Raised).ToList();
    }

    public IReadOnlyList<Alarm> All()
    {
        lock (_gate) return _active.Values.OrderBy(a => a.Raised).Concat(_lowered.AsEnumerable().Reverse()).ToList();
    }

    public bool IsActive(string id)
    {
        lock (_gate) return _active.ContainsKey(id);
    }
}
