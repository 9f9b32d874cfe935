using System.Text;
using Appliance.Daemon.Config;
using Appliance.Daemon.Files;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// admin.password (shared) and root.password (this peer's) applied to the OS accounts. The daemon
/// cannot write /etc/shadow (ProtectSystem=strict, few capabilities), so it writes a request file of
/// "user:crypt-hash" lines, 0600 in a 0700 directory, and appliance-accounts.path starts
/// appliance-accounts.service, which feeds it to `chpasswd -e`. Only accounts whose hash is set
/// are listed: clearing a password leaves the OS account's as it was.
/// </summary>
public sealed class AccountsApplier(ApplierContext context, string path)
    : Applier("accounts", "account passwords not applied", context.Logs.Alarms, context.DriftInterval)
{
    public const string OldFormAlarm = "password-old-form";

    /// <summary>The OS account the admin logs in as (sshd's Match User, the image's useradd).</summary>
    public const string AdminAccount = "admin";
    public const string RootAccount = "root";

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;

    protected override bool Affects(StoredRecord record) => ApplierContext.IsShared(record, "admin");

    public override bool AffectsLocal(string section) => section == "root";

    protected override Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var wanted = new List<(string Account, string Field, string? Hash)>
        {
            (AdminAccount, "admin.password", RuleContext.Text(context.SharedSection("admin"), "password")),
        };
        var (root, rootError) = context.Config.CheckLocal("root");
        if (rootError is not null)
            throw new InvalidOperationException($"root.password is not valid: {rootError}");
        wanted.Add((RootAccount, "root.password", RuleContext.Text(root!, "password")));

        var text = new StringBuilder();
        var old = new List<string>();
        foreach (var (account, field, hash) in wanted)
        {
            if (string.IsNullOrEmpty(hash)) continue;
            if (PasswordHash.IsApplicable(hash)) text.Append(account).Append(':').Append(hash).Append('\n');
            else old.Add(field);
        }
        Alarms.Set(OldFormAlarm, old.Count > 0, AlarmRegistry.Warning,
            $"{string.Join(" and ", old)} {(old.Count > 1 ? "are" : "is")} stored in the old pbkdf2 form, which the OS cannot use: set {string.Join(" and ", old)} again");
        var changed = ReplacedFile.WriteIfChanged(path, text.ToString(), FileMode, DirectoryMode);
        var count = wanted.Count(w => PasswordHash.IsApplicable(w.Hash));
        return Task.FromResult(ApplyResult.Done($"{count} account password(s) in {path}{(changed ? "" : " (unchanged)")}"
            + (old.Count > 0 ? $"; {string.Join(", ", old)} not applied (old form)" : "")));
    }
}
