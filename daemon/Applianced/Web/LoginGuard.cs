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
/// </summary>
internal sealed class LoginGuard(ConfigStore config, NodeLogs logs, TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(5);
    private readonly Lock _gate = new();
    private readonly SourceFailures _sources = new(MaxFailures, LockFor);
    private int _failures;
    private DateTimeOffset? _lockedUntil;

    /// <summary>The user name on success; else null and the reason to show.</summary>
    public (string? User, string? Refusal) Check(string user, string password, string from)
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
                return (null, $"Too many failed logins: the account is locked until {until:HH:mm:ss} UTC.");
            }
            if (_sources.HeldUntil(from, now) is { } held)
            {
                logs.Event($"web login refused for '{TextRules.Escape(user)}' from {from}: the address is held until {Api.ApiTime.Text(held)}", "warning");
                return (null, $"Too many failed logins from this address: it is held until {held:HH:mm:ss} UTC.");
            }
            if (hash is null)
            {
                logs.Event($"web login refused for '{TextRules.Escape(user)}' from {from}: admin.password is not set", "warning");
                return (null, "No admin password is set: set it with appliancectl (config set admin.password) first.");
            }
            if (user == name && PasswordHash.Verify(hash, password))
            {
                _failures = 0;
                _lockedUntil = null;
                _sources.Clear(from);
                logs.Event($"web login: {name} from {from}");
                return (name, null);
            }
            _failures++;
            var locked = _failures >= MaxFailures;
            if (locked)
            {
                _lockedUntil = now + LockFor;
                _failures = 0;
            }
            var (fromSource, holdUntil) = _sources.Fail(from, now);
            logs.Event($"web login failed for '{TextRules.Escape(user)}' from {from} ({(locked ? MaxFailures : _failures)} of {MaxFailures})"
                + (locked ? $"; the account is locked for web logins until {Api.ApiTime.Text(_lockedUntil!.Value)}" : "")
                + $"; {fromSource} of {MaxFailures} from this address"
                + (holdUntil is { } h ? $"; the address is held until {Api.ApiTime.Text(h)}" : ""), "warning");
            return (null, locked || holdUntil is not null
                ? $"Wrong user name or password. Too many failed logins: {(locked ? "the account" : "this address")} is locked for {LockFor.TotalMinutes:0} minutes."
                : "Wrong user name or password.");
        }
    }
}
