using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Web;

/// <summary>
/// Checks a web login against the shared admin account (admin.user, and the crypt(3) hash in
/// admin.password that the OS account has too). Every failure is an event log line; after
/// <see cref="MaxFailures"/> in a row the account takes no web login, not even the right password,
/// until <see cref="LockFor"/> has passed. There is one account, so a failure under any name counts.
/// Failures are also counted per source address (<see cref="SourceFailures"/>): an address that
/// failed <see cref="MaxFailures"/> times is held as long, and a good login from elsewhere (which
/// clears the account's count) does not clear it, so spraying names from one address gains nothing.
/// A session holds the account's stamp from its login; a new password or user name (set on any peer)
/// ends every session logged in before it (<see cref="Outdated"/>). The account's lock and the
/// addresses' holds outlast a restart (LoginGuard.Kept.cs); the counts before them do not.
/// </summary>
internal sealed partial class LoginGuard
{
    private readonly ConfigStore config;
    private readonly NodeLogs logs;
    private readonly TimeProvider time;

    public LoginGuard(ConfigStore config, NodeLogs logs, TimeProvider time)
    {
        this.config = config;
        this.logs = logs;
        this.time = time;
        LoadKept();
    }

    public const int MaxFailures = 5;
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(5);
    private readonly Lock _gate = new();
    private readonly SourceFailures _sources = new(MaxFailures, LockFor);
    private int _failures;
    private DateTimeOffset? _lockedUntil;

    /// <summary>
    /// The account as it stands (user name and password hash), hashed: what a session logged in under it
    /// keeps, so that a change of either is seen. Null while no password is set.
    /// </summary>
    public static string? AccountStamp(string name, string? passwordHash) =>
        passwordHash is null ? null : WebSessionStore.Hash("account", $"{name}\n{passwordHash}");

    /// <summary>True (and logged) when the account changed since <paramref name="session"/> logged in: it must end.</summary>
    public bool Outdated(WebSession session)
    {
        var account = config.Read("admin");
        if (session.Account is { } stamp && stamp == AccountStamp(RuleContext.Text(account, "user") ?? "admin", RuleContext.Text(account, "password")))
            return false;
        logs.Event($"web session of {session.User} ended: the admin account's password or user name changed since its login");
        return true;
    }

    /// <summary>The user name and account stamp on success; else nulls and the reason to show.</summary>
    public (string? User, string? Account, string? Refusal) Check(string user, string password, string from)
    {
        var account = config.Read("admin");
        var name = RuleContext.Text(account, "user") ?? "admin";
        var hash = RuleContext.Text(account, "password");
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_lockedUntil is { } until && now < until)
            {
                logs.Event($"web login refused for '{TextRules.Escape(user)}' from {from}: the account is locked until {Api.ApiTime.Text(until)}", "warning");
                return (null, null, $"Too many failed logins: the account is locked until {until:HH:mm:ss} UTC.");
            }
            if (_sources.HeldUntil(from, now) is { } held)
            {
                logs.Event($"web login refused for '{TextRules.Escape(user)}' from {from}: the address is held until {Api.ApiTime.Text(held)}", "warning");
                return (null, null, $"Too many failed logins from this address: it is held until {held:HH:mm:ss} UTC.");
            }
            if (hash is null)
            {
                logs.Event($"web login refused for '{TextRules.Escape(user)}' from {from}: admin.password is not set", "warning");
                return (null, null, "No admin password is set: set it with appliancectl (config set admin.password) first.");
            }
            if (user == name && PasswordHash.Verify(hash, password))
            {
                var wasKept = _lockedUntil is not null || _sources.HeldUntil(from, now) is not null;
                _failures = 0;
                _lockedUntil = null;
                _sources.Clear(from);
                if (wasKept) SaveKept();
                logs.Event($"web login: {name} from {from}");
                return (name, AccountStamp(name, hash), null);
            }
            _failures++;
            var locked = _failures >= MaxFailures;
            if (locked)
            {
                _lockedUntil = now + LockFor;
                _failures = 0;
            }
            var (fromSource, holdUntil) = _sources.Fail(from, now);
            if (locked || holdUntil is not null) SaveKept();
            logs.Event($"web login failed for '{TextRules.Escape(user)}' from {from} ({(locked ? MaxFailures : _failures)} of {MaxFailures})"
                + (locked ? $"; the account is locked for web logins until {Api.ApiTime.Text(_lockedUntil!.Value)}" : "")
                + $"; {fromSource} of {MaxFailures} from this address"
                + (holdUntil is { } h ? $"; the address is held until {Api.ApiTime.Text(h)}" : ""), "warning");
            return (null, null, locked || holdUntil is not null
                ? $"Wrong user name or password. Too many failed logins: {(locked ? "the account" : "this address")} is locked for {LockFor.TotalMinutes:0} minutes."
                : "Wrong user name or password.");
        }
    }
}
