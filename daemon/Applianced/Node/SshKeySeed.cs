using System.Text;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Appliance.Daemon.Files;

namespace Appliance.Daemon.Node;

/// <summary>
/// First access to a box built without a key in the cluster: the image's seed file
/// (authorized_keys form, put there by `build-image.sh --authorized-key`) is imported into the
/// shared ssh-keys once per peer. A local flag records that, so a key the operator removed later
/// does not come back at the next start. Bad lines are logged and skipped: one typo must not lock
/// the operator out of the keys that are good.
/// </summary>
internal static class SshKeySeed
{
    public const string ImportedFlag = "ssh-keys:seed-imported";
    private const string Channel = "seed";

    public static void Import(string? path, SshKeys keys, Store.Store store, NodeLogs logs)
    {
        if (path is null || store.GetLocal(ImportedFlag) is not null || !File.Exists(path)) return;
        string text;
        try
        {
            using var stream = RegularFile.OpenRead(path, "SSH key seed");
            var buffer = new byte[SshKeyLines.MaxBytes + 1];
            var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (n > SshKeyLines.MaxBytes)
            {
                logs.Event($"SSH key seed {path} is larger than {SshKeyLines.MaxBytes / 1024} KiB; not imported", "warning");
                return;
            }
            text = Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or RefusedFileException)
        {
            // Not marked as imported: the next start tries again.
            logs.Event($"SSH key seed {path} not imported: {e.Message}", "warning");
            return;
        }
        var imported = 0;
        foreach (var line in SshKeyLines.Parse(text))
        {
            if (line.Key is null)
            {
                logs.Event($"SSH key seed {path}: {line.Describe()}; skipped", "warning");
                continue;
            }
            try
            {
                imported += keys.Add([line], null, "system", Channel).Count;
            }
            catch (ApiException e)
            {
                logs.Event($"SSH key seed {path}: {e.Message}", "warning");
            }
        }
        store.SetLocal(ImportedFlag, DateTimeOffset.UtcNow.ToString("O"));
        logs.Event($"SSH key seed {path}: {imported} key(s) imported into ssh-keys");
    }
}
