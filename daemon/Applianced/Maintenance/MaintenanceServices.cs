using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Licensing;
using Appliance.Daemon.Node;
using Appliance.Daemon.Upgrade;
using Appliance.Hal;

namespace Appliance.Daemon.Maintenance;

/// <summary>
/// Backup, licences, upgrade and `cluster check` of one peer, composed from the node's parts.
/// PeerNode builds it once, registers its commands and calls <see cref="Started"/> when it is up.
/// </summary>
public sealed class MaintenanceServices
{
    private readonly PeerNode _node;
    private readonly DaemonOptions _options;
    private readonly IHardwareIdentity _identity;

    private readonly TimeProvider _time;

    public BackupService Backups { get; }
    public LicenceService Licences { get; }
    public UpgradeService Upgrades { get; }
    public ClusterCheck Check { get; }

    public MaintenanceServices(PeerNode node, DaemonOptions options, IHardwareIdentity identity, TimeProvider? time = null)
    {
        _node = node;
        _time = time ?? TimeProvider.System;
        _options = options;
        _identity = identity;
        Backups = new BackupService(node.Store, node.Logs, node.Version, () => _identity.SerialNumber, () => node.Cluster.Settings, time)
        {
            MaxBackupBytes = options.MaxBackupBytes,
        };
        Licences = new LicenceService(node.Store, node.Logs, () => _identity.SerialNumber, () => node.Cluster.Settings, new LicenceVerifier());
        Upgrades = new UpgradeService(new Installer(options.InstallRoot), node.Logs, node.Version, time)
        {
            ReadyBound = TimeSpan.FromSeconds(options.UpgradeReadySeconds),
            MaxPackageBytes = options.MaxUpgradeBytes,
        };
        Check = new ClusterCheck(node.Cluster, node.Config, Context, Licences, OwnAddress, options.RecoveryPort, node.Version);
        node.Cluster.Changed += Licences.UpdateAlarm;
        node.Cluster.ArchivePreJoinCopy = Backups.ArchiveStoreCopy;
    }

    public string Serial => _identity.SerialNumber;

    /// <summary>Placement with this peer's licences (made by <see cref="Register"/>): `conferences place` and the SIP trunk's calls.</summary>
    public Conferencing.ConferencePlacer Placer { get; private set; } = null!;

    public void Register(ApiRouter router)
    {
        new BackupCommands(Backups, _node.Logs, () => _node.RequestRestart()).Register(router);
        var licences = new LicenceCommands(Licences, _node.Store, _node.Config, () => _node.Cluster.Settings, () => Serial);
        licences.Register(router);
        Placer = new Conferencing.ConferencePlacer(_node.Config, () => _node.Bridges, () =>
        {
            var capacity = licences.Capacity();
            return new Conferencing.LicenceCapacity(capacity.PersonalMultiparty, capacity.SharedMultiparty);
        }, _time);
        new PlacementCommand(Placer).Register(router);
        new UpgradeCommands(Upgrades, () => _node.RequestRestart()).Register(router);
        router.Add("cluster.check", async (_, ct) => ClusterCheckCommand.ToJson(await Check.RunAsync(ct)));
    }

    /// <summary>The node is up: a restore or an upgrade that brought it here is complete.</summary>
    public void Started()
    {
        if (RestoreSwap.Confirm(_options.DataDir))
            _node.Logs.Event("restore complete: the daemon runs with the restored store; the previous store was deleted");
        try { Upgrades.OnReady(); }
        catch (IOException e) { _node.Logs.Event($"upgrade: cannot read the upgrade state in {_options.InstallRoot}: {e.Message}", "warning"); }
        Licences.UpdateAlarm();
    }

    private string? OwnAddress() => _options.Bind ?? _node.Config.LanAddress;

    private ConfigContext Context() => _node.ConfigContext();
}
