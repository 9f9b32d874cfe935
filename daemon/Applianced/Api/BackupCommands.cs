using System.Text.Json.Nodes;
using Appliance.Daemon.Maintenance;
using Appliance.Daemon.Node;
using static Appliance.Daemon.Api.MaintenanceErrors;

namespace Appliance.Daemon.Api;

/// <summary>
/// backup.create|list|download|delete|restore (R12). Backups live in the daemon's own backups
/// directory and are named, never given as paths; they leave the box as a download and come in
/// as an upload (PROTOCOL.md). Passwords arrive in the request (read by the CLI from a file or
/// stdin), never in argv.
/// </summary>
internal sealed class BackupCommands(BackupService backups, NodeLogs logs, Action restart)
{
    public void Register(ApiRouter router) => router
        .Add("backup.create", (r, ct) => Guard(async () =>
        {
            var result = await backups.CreateAsync(Password(r.WithoutPaths("dir", "out")), ct, r.Progress);
            return new JsonObject
            {
                ["title"] = "backup written",
                ["name"] = Path.GetFileName(result.Path),
                ["bytes"] = new FileInfo(result.Path).Length,
                ["encrypted"] = r.OptionalString("password") is not null,
                ["version"] = result.Manifest.SoftwareVersion,
                ["serial"] = result.Manifest.HardwareSerial,
            };
        }))
        .AddDownload("backup.download", (r, _) =>
        {
            var name = r.RequiredString("name");
            var (content, length) = GuardValue(() => backups.OpenBackup(name));
            return Task.FromResult(new ApiDownload(new JsonObject { ["name"] = name, ["bytes"] = length }, content, length));
        })
        .Add("backup.delete", r => Guard(() =>
        {
            var name = r.RequiredString("name");
            backups.Delete(name);
            return new JsonObject { ["name"] = name, ["deleted"] = true };
        }))
        .Add("backup.restore", (r, ct) => Guard(async () =>
            Restored(r, await backups.RestoreAsync(r.WithoutPaths("file").RequiredString("name"), Password(r), ct, r.Progress))))
        .AddUpload("backup.restore", new ApiUpload(
            () => backups.MaxBackupBytes,
            (_, _) => Guard(() => backups.CheckCanRestore()),
            (r, upload, ct) => Guard(async () => Restored(r, await backups.RestoreUploadAsync(upload, Password(r), ct, r.Progress)))))
        .Add("backup.list", _ => new JsonObject
        {
            ["title"] = "backups on this peer",
            ["backups"] = new JsonArray(backups.List().Select(b => (JsonNode)new JsonObject
            {
                ["name"] = b.Name,
                ["created"] = ApiTime.Text(b.CreatedUtc),
                ["bytes"] = b.Bytes,
                ["encrypted"] = b.Encrypted,
                ["version"] = b.SoftwareVersion,
                ["serial"] = b.Serial,
            }).ToArray()),
        });

    private JsonObject Restored(ApiRequest r, RestoreStaged staged)
    {
        logs.Event($"restore requested by {r.Who} ({r.Channel}): restarting to swap in the store of {staged.File}");
        RestartSoon(restart);
        return new JsonObject
        {
            ["message"] = "backup checked and staged; the daemon restarts now and comes back with the restored configuration",
            ["created"] = ApiTime.Text(staged.Manifest.CreatedUtc),
            ["version"] = staged.Manifest.SoftwareVersion,
        };
    }

    private static string? Password(ApiRequest r) =>
        r.OptionalString("password") is { } p && p.Length == 0
            ? throw new ApiException(ApiException.Validation, "the backup password is empty", "password")
            : r.OptionalString("password");
}
