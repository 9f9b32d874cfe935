using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Daemon.Web;

/// <summary>One browser's session: who logged in (null before the login), its form token, when it was last used.</summary>
internal sealed class WebSession(string id, string? user, string? account, DateTimeOffset now)
{
    public string Id { get; } = id;
    public string? User { get; } = user;

    /// <summary>
    /// The account as it was at the login (<see cref="LoginGuard.AccountStamp"/>): a new admin password
    /// or user name changes it, which ends this session.
    /// </summary>
    public string? Account { get; } = account;

    /// <summary>
    /// The token every form of this session carries (CSRF): another site cannot read it, so it cannot
    /// post it. Derived from the secret id, so a session brought back after a restart keeps it.
    /// </summary>
    public string FormToken { get; } = WebSessionStore.Hash("form", id);

    public DateTimeOffset LastUsed { get; set; } = now;

    /// <summary>When the stored copy was last written (logged-in sessions only).</summary>
    public DateTimeOffset SavedAt { get; set; } = now;

    /// <summary>A message for the next page (shown once): what the last form did.</summary>
    public string? Flash { get; set; }

    /// <summary>The last upload form's work of each command (upgrade.install, backup.restore), for its progress page.</summary>
    public ConcurrentDictionary<string, WebJob> Jobs { get; } = new(StringComparer.Ordinal);

    public bool TokenMatches(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(FormToken));
}

/// <summary>
/// Sessions in memory, the logged-in ones also in the local store (hashed, <see cref="WebSessionStore"/>)
/// so that they survive a restart. The id is 256 random bits in a cookie; a login always makes a new
/// session (no fixation); an unused one ends after the idle time. Sessions before login exist only
/// to carry the login form's token and are bounded, so requests without a cookie cannot fill memory.
/// </summary>
internal sealed class WebSessions(TimeProvider time, TimeSpan idle, WebSessionStore? stored = null)
{
    public const string Cookie = "__Host-appliance-session";
    private const int MaxAnonymous = 1000;
    private readonly ConcurrentDictionary<string, WebSession> _sessions = new(StringComparer.Ordinal);

    public TimeSpan Idle => idle;

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The live session of this id, touched; null for none, an unknown one or one idle too long (which ends).</summary>
    public WebSession? Find(string? id)
    {
        if (id is null || (_sessions.TryGetValue(id, out var session) ? session : Restored(id)) is not { } found) return null;
        var now = time.GetUtcNow();
        if (now - found.LastUsed > idle)
        {
            End(found);
            return null;
        }
        found.LastUsed = now;
        // The stored time lags by a little at most: a restart may end a session that much early, never late.
        if (found.User is { } user && now - found.SavedAt > SaveEvery)
        {
            found.SavedAt = now;
            stored?.Save(found.Id, user, found.Account, now, idle);
        }
        return found;
    }

    private TimeSpan SaveEvery => TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, idle.Ticks / 10));

    /// <summary>A logged-in session from before a restart, back in memory; null when none was stored under this id.</summary>
    private WebSession? Restored(string id)
    {
        if (id.Length > 64 || stored?.Find(id) is not { } saved) return null;
        return _sessions.GetOrAdd(id, _ => new WebSession(id, saved.User, saved.Account, saved.LastUsed) { SavedAt = saved.LastUsed });
    }

    /// <summary>A session for the login form alone.</summary>
    public WebSession Anonymous()
    {
        Sweep();
        if (_sessions.Values.Count(s => s.User is null) >= MaxAnonymous)
        {
            foreach (var old in _sessions.Values.Where(s => s.User is null).OrderBy(s => s.LastUsed).Take(MaxAnonymous / 10))
                _sessions.TryRemove(old.Id, out _);
        }
        return Add(null, null);
    }

    /// <summary>Replaces the login form's session with a new one for <paramref name="user"/> (of the account <paramref name="account"/>).</summary>
    public WebSession LogIn(WebSession before, string user, string account)
    {
        _sessions.TryRemove(before.Id, out _);
        return Add(user, account);
    }

    public void End(WebSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        if (session.User is not null) stored?.Remove(session.Id);
    }

    private WebSession Add(string? user, string? account)
    {
        var session = new WebSession(NewSecret(), user, account, time.GetUtcNow());
        _sessions[session.Id] = session;
        if (user is not null) stored?.Save(session.Id, user, account, session.LastUsed, idle);
        return session;
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var s in _sessions.Values.Where(s => now - s.LastUsed > idle))
            _sessions.TryRemove(s.Id, out _);
    }
}
