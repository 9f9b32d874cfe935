using System.Text.Json.Nodes;
using Appliance.Daemon.Maintenance;
using static Appliance.Daemon.Api.MaintenanceErrors;

namespace Appliance.Daemon.Api;

/// <summary>upgrade.install|status (R13). The package comes as an upload, its signature line in the request.</summary>
internal sealed class UpgradeCommands(UpgradeService upgrades, Action restart)
{
    public void Register(ApiRouter router) => router
        .AddUpload("upgrade.install", new ApiUpload(
            () => upgrades.MaxPackageBytes,
            (r, _) =>
            {
                r.WithoutPaths("file").RequiredString("signature");
                return Guard(upgrades.CheckCanInstall);
            },
            (r, upload, ct) => Guard(async () =>
            {
                var info = await upgrades.InstallAsync(upload, r.RequiredString("signature"), ct, r.Progress);
                RestartSoon(restart);
                return new JsonObject
                {
                    ["message"] = $"version {info.Version} verified, installed and activated; restarting into it " +
                                  $"(rolled back automatically unless ready {upgrades.ReadyBoundText})",
                    ["version"] = info.Version,
                    ["files"] = info.FileCount,
                };
            })))
        .Add("upgrade.status", _ =>
        {
            var s = upgrades.Status();
            return new JsonObject
            {
                ["title"] = "upgrade",
                ["running"] = s.Running,
                ["versions"] = new JsonArray(s.Installed.Versions.Select(v => (JsonNode)new JsonObject
                {
                    ["version"] = v,
                    ["state"] = v == s.Installed.Active ? "active" : v == s.Installed.Previous ? "previous (roll-back target)" : "installed",
                }).ToArray()),
                ["pending"] = s.Pending ?? "none",
                ["last"] = s.LastResult ?? "none",
            };
        });
}
