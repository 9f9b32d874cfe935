namespace Appliance.Daemon.Web;

/// <summary>
/// Failed web logins counted per source address: <paramref name="max"/> failures hold the address
/// for <paramref name="holdFor"/>. Bounded (the oldest entries go first), so a flood of addresses
/// costs a fixed amount of memory; not thread-safe (LoginGuard's lock covers it).
/// </summary>
internal sealed class SourceFailures(int max, TimeSpan holdFor)
{
    private const int MaxAddresses = 4096;
    private readonly Dictionary<string, (int Count, DateTimeOffset Last, DateTimeOffset? HeldUntil)> _by = new(StringComparer.Ordinal);

    public DateTimeOffset? HeldUntil(string from, DateTimeOffset now) =>
        _by.TryGetValue(from, out var e) && e.HeldUntil is { } until && now < until ? until : null;

    /// <summary>Counts a failure; the count so far and, when this one reaches the bound, until when the address is held.</summary>
    public (int Count, DateTimeOffset? HeldUntil) Fail(string from, DateTimeOffset now)
    {
        // Failures older than a hold no longer count: a typo a day does not add up to a hold.
        var count = _by.TryGetValue(from, out var e) && now - e.Last < holdFor && e.HeldUntil is null ? e.Count + 1 : 1;
        if (!_by.ContainsKey(from) && _by.Count >= MaxAddresses)
            foreach (var old in _by.OrderBy(p => p.Value.Last).Take(MaxAddresses / 8).Select(p => p.Key).ToList()) _by.Remove(old);
        DateTimeOffset? held = count >= max ? now + holdFor : null;
        _by[from] = (held is null ? count : 0, now, held);
        return (count, held);
    }

    public void Clear(string from) => _by.Remove(from);

    /// <summary>The addresses held at <paramref name="now"/>, and until when (kept across a restart: LoginGuard.Kept.cs).</summary>
    public IEnumerable<(string From, DateTimeOffset Until)> Holds(DateTimeOffset now) =>
        _by.Where(e => e.Value.HeldUntil is { } until && now < until).Select(e => (e.Key, e.Value.HeldUntil!.Value));

    /// <summary>Holds an address until <paramref name="until"/> again (a hold kept from before a restart).</summary>
    public void Hold(string from, DateTimeOffset until)
    {
        if (_by.Count < MaxAddresses) _by[from] = (0, until - holdFor, until);
    }
}
