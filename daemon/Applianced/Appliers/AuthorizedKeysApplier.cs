using System.Text;
using Appliance.Daemon.Config;
using Appliance.Daemon.Files;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// The shared ssh-keys, written to the file sshd's AuthorizedKeysFile names for the admin (and
/// transfer) accounts. The daemon runs as root, so the file is root's, 0644, in a 0755 directory:
/// what sshd's StrictModes asks for, and the operator cannot edit it around the CLI.
/// </summary>
public sealed class AuthorizedKeysApplier(ApplierContext context, string path)
    : Applier("ssh-keys", "SSH keys not applied", context.Logs.Alarms, context.DriftInterval)
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public string Path => path;

    protected override bool Affects(StoredRecord record) => ApplierContext.IsShared(record, SshKeys.Section);

    protected override Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var text = new StringBuilder("# Written by applianced from the shared ssh-keys (appliancectl ssh-keys); edits here are overwritten.\n");
        var fingerprints = new HashSet<string>(StringComparer.Ordinal);
        // Two peers may add the same key under two names at once; sshd needs it once.
        foreach (var item in context.SharedItems(SshKeys.Section).OrderBy(i => RuleContext.Text(i, SectionDef.NameField), StringComparer.Ordinal))
        {
            var key = SshPublicKey.Parse(RuleContext.Text(item, "key")!, out _)!;
            if (fingerprints.Add(key.Fingerprint)) text.Append(key.Line).Append('\n');
        }
        var changed = ReplacedFile.WriteIfChanged(path, text.ToString(), FileMode, DirectoryMode);
        return Task.FromResult(ApplyResult.Done($"{fingerprints.Count} key(s) in {path}{(changed ? "" : " (unchanged)")}"));
    }
}
