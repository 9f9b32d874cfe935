using System.Text.Json.Nodes;
using Appliance.Daemon.Maintenance;
using Appliance.Daemon.Node;
using static Appliance.Daemon.Api.MaintenanceErrors;

namespace Appliance.Daemon.Api;

/// <summary>backup.create|restore|list (R12). Passwords arrive in the request (read by the CLI from a file or stdin), never in argv.</summary>
internal sealed class BackupCommands(BackupService backups, NodeLogs logs, Action restart)
{
    public void Register(ApiRouter router) => router
        .Add("backup.create", (r, ct) => Guard(async () =>
        {
            var result = await backups.CreateAsync(Password(r), r.OptionalString("dir"), ct);
            return new JsonObject
            {
                ["title"] = "backup written",
                ["file"] = result.Path,
                ["bytes"] = new FileInfo(result.Path).Length,
                ["encrypted"] = r.OptionalString("password") is not null,
                ["version"] = result.Manifest.SoftwareVersion,
                ["serial"] = result.Manifest.HardwareSerial,
            };
        }))
        .Add("backup.restore", (r, ct) => Guard(async () =>
        {
            var staged = await backups.RestoreAsync(r.RequiredString("file"), Password(r), ct);
            logs.Event($"restore requested by {r.User} ({r.Channel}): restarting to swap in the store of {staged.File}");
            RestartSoon(restart);
            return new JsonObject
            {
                ["message"] = "backup checked and staged; the daemon restarts now and comes back with the restored configuration",
                ["created"] = staged.Manifest.CreatedUtc.ToString("u"),
                ["version"] = staged.Manifest.SoftwareVersion,
            };
        }))
        .Add("backup.list", _ => new JsonObject
        {
            ["title"] = $"backups in {backups.BackupsDirectory}",
            ["backups"] = new JsonArray(backups.List().Select(b => (JsonNode)new JsonObject
            {
                ["name"] = b.Name,
                ["created"] = b.CreatedUtc.ToString("u"),
                ["bytes"] = b.Bytes,
                ["encrypted"] = b.Encrypted,
                ["version"] = b.SoftwareVersion,
                ["serial"] = b.Serial,
            }).ToArray()),
        });

    private static string? Password(ApiRequest r) =>
        r.OptionalString("password") is { } p && p.Length == 0
            ? throw new ApiException(ApiException.Validation, "the backup password is empty", "password")
            : r.OptionalString("password");
}
