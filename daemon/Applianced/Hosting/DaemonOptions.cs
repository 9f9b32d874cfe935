using System.Text.Json;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// What one applianced process runs with. Defaults are the appliance's own; tests and the demo
/// override them so that several peers run side by side on one machine.
/// </summary>
public sealed record DaemonOptions
{
    public const string DefaultConfigFile = "/etc/appliance/applianced.json";

    public string DataDir { get; init; } = "/var/lib/appliance/data";
    public string ApiSocket { get; init; } = "/run/appliance/api.sock";
    /// <summary>
    /// "simulated" unless asked for: the Linux HAL rewrites the machine's /etc/resolv.conf, timesyncd,
    /// addresses and firewall, which only the appliance's own configuration (applianced.json says
    /// "linux") may do. A daemon started by hand, a test or a benchmark on a developer's or CI's
    /// machine once cut that machine's DNS by writing an empty resolv.conf.
    /// </summary>
    public string Hal { get; init; } = "simulated";
    public string? ConfigFile { get; init; }
    /// <summary>Hardware serial override for the simulated identity.</summary>
    public string? Serial { get; init; }
    /// <summary>Serial device of the front panel; none means no panel.</summary>
    public string? Lcd { get; init; }
    /// <summary>Address the cluster listens on; defaults to the LAN1 address from the store.</summary>
    public string? Bind { get; init; }
    public int ReplicationPort { get; init; } = 4372;
    public int RecoveryPort { get; init; } = 4371;
    /// <summary>The SIP port on each rendezvous address (UDP and TCP); tests on loopback may move it.</summary>
    public int SipPort { get; init; } = Sip.SipTrunk.DefaultPort;
    /// <summary>The SIP over TLS port on each rendezvous address, served while a server certificate is selected.</summary>
    public int SipTlsPort { get; init; } = Sip.SipTrunk.DefaultTlsPort;

    /// <summary>
    /// Networks whose bridges the watcher asks (null: every bridge). Tests keep it to loopback, where
    /// their bridge simulators run, so bridges configured only as records send nothing off the host.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork>? BridgeWatchNetworks { get; init; }
    /// <summary>Test option: the software version this peer reports to others (R4 tests).</summary>
    public string? ReportVersion { get; init; }
    /// <summary>Test option: a dialer's wait after a failed or refused attempt, so a test can show links come back without waiting it out.</summary>
    public int? DialRetryMs { get; init; }
    /// <summary>
    /// Test option (test images' drop-in, the tests): enables the root-only `test.hang` API command
    /// that stops a watched loop, to prove the watchdog restarts a hung daemon. Without it the
    /// command does not exist (`unknown command`). Refused at start by a build that trusts a
    /// production vendor key: no shipped box can be made to hang by a command.
    /// </summary>
    public bool TestFaults { get; init; }
    /// <summary>The LAN1 interface the Linux HAL manages.</summary>
    public string Interface { get; init; } = "eth0";
    public string ResolvConf { get; init; } = "/etc/resolv.conf";
    public string TimesyncdConf { get; init; } = "/etc/systemd/timesyncd.conf.d/appliance.conf";
    /// <summary>
    /// Where the Linux HAL writes LAN1's systemd-networkd file (the appliance: /etc/systemd/network);
    /// null adds and removes addresses directly with <c>ip</c> (tests in namespaces, the demo).
    /// </summary>
    public string? NetworkdDir { get; init; }
    /// <summary>
    /// Where the Linux HAL keeps the nft script of the last firewall it applied, which
    /// appliance-firewall.service loads at boot (the appliance: /var/lib/appliance/firewall/applianced.nft);
    /// null keeps it as firewall.nft in the data directory.
    /// </summary>
    public string? FirewallSave { get; init; }
    public long LogCapBytes { get; init; } = 4 << 20;
    /// <summary>How long a network change made from afar waits for `config confirm` before it reverts (NetworkWindow).</summary>
    public int NetworkConfirmSeconds { get; init; } = (int)Appliers.NetworkWindow.DefaultLength.TotalSeconds;
    /// <summary>Where upgrade releases live: releases/&lt;version&gt; and the `current` link (R13).</summary>
    public string InstallRoot { get; init; } = "/var/lib/appliance/software";
    /// <summary>
    /// How long a newly installed version has to become ready before the upgrade watchdog rolls it
    /// back, outside systemd. Under systemd the unit's TimeoutStartSec is the bound (its start check
    /// rolls back), so the appliance's applianced.json does not set this.
    /// </summary>
    public int UpgradeReadySeconds { get; init; } = 180;
    /// <summary>The largest upgrade package accepted; an upload is cut off at this size.</summary>
    public long MaxUpgradeBytes { get; init; } = Upgrade.Installer.DefaultMaxPackageBytes;
    /// <summary>
    /// Where snmpd's configuration is rendered (it holds the community: 0600 root); null leaves SNMP
    /// unmanaged. The image's snmpd.service drop-in reads /var/lib/appliance/snmp/snmpd.conf.
    /// </summary>
    public string? SnmpdConf { get; init; }
    /// <summary>Where the world-readable status files that snmpd's extend lines cat are written (SNMP managed only).</summary>
    public string SnmpStatusDir { get; init; } = "/run/appliance/snmp";
    /// <summary>The largest backup accepted for a restore; an upload is cut off at this size.</summary>
    public long MaxBackupBytes { get; init; } = Maintenance.BackupService.DefaultMaxBackupBytes;
    /// <summary>The root-owned file sshd's AuthorizedKeysFile names for admin (and transfer); null: the keys are not written anywhere.</summary>
    public string? AuthorizedKeysFile { get; init; }
    /// <summary>authorized_keys lines imported into ssh-keys once per peer (first access to a box built without a key); null: none.</summary>
    public string? SeedAuthorizedKeys { get; init; }
    /// <summary>The request file ("user:crypt-hash" lines) that appliance-accounts.service feeds to chpasswd -e; null: passwords stay in the store.</summary>
    public string? AccountsFile { get; init; }

    /// <summary>The HTTPS administration's TCP port (443); 0 serves no web pages (the tests' daemons, unless a test asks).</summary>
    public int WebPort { get; init; } = 443;
    /// <summary>The address the HTTPS pages listen on; null: --bind, else this peer's LAN1 (management) address, else any.</summary>
    public string? WebBind { get; init; }
    /// <summary>How long a web session may sit unused before it ends (the administrator logs in again).</summary>
    public int WebIdleSeconds { get; init; } = 15 * 60;

    /// <summary>How old a tombstone every member acknowledged must be before it is purged (REPLICATION.md, "Tombstones").</summary>
    public int TombstoneGraceSeconds { get; init; } = 24 * 3600;
    /// <summary>How long a member that has not acknowledged a tombstone holds its purge back; past it, that member rejoins by full recovery.</summary>
    public int TombstoneHorizonSeconds { get; init; } = 7 * 24 * 3600;

    private static readonly Dictionary<string, Func<DaemonOptions, string, DaemonOptions>> Setters = new()
    {
        ["--data-dir"] = (o, v) => o with { DataDir = v },
        ["--api-socket"] = (o, v) => o with { ApiSocket = v },
        ["--hal"] = (o, v) => v is "simulated" or "linux" ? o with { Hal = v } : throw new OptionsException($"--hal must be 'simulated' or 'linux', not '{v}'"),
        ["--config"] = (o, v) => o with { ConfigFile = v },
        ["--serial"] = (o, v) => o with { Serial = v },
        ["--lcd"] = (o, v) => o with { Lcd = v },
        ["--bind"] = (o, v) => o with { Bind = v },
        ["--replication-port"] = (o, v) => o with { ReplicationPort = Port("--replication-port", v) },
        ["--recovery-port"] = (o, v) => o with { RecoveryPort = Port("--recovery-port", v) },
        ["--sip-port"] = (o, v) => o with { SipPort = Port("--sip-port", v) },
        ["--sip-tls-port"] = (o, v) => o with { SipTlsPort = Port("--sip-tls-port", v) },
        ["--bridge-watch-networks"] = (o, v) => o with { BridgeWatchNetworks = Networks("--bridge-watch-networks", v) },
        ["--report-version"] = (o, v) => o with { ReportVersion = v },
        ["--dial-retry-ms"] = (o, v) => o with { DialRetryMs = int.TryParse(v, out var ms) && ms > 0 ? ms : throw new OptionsException($"--dial-retry-ms must be a positive number, not '{v}'") },
        ["--interface"] = (o, v) => o with { Interface = v },
        ["--resolv-conf"] = (o, v) => o with { ResolvConf = v },
        ["--timesyncd-conf"] = (o, v) => o with { TimesyncdConf = v },
        ["--networkd-dir"] = (o, v) => o with { NetworkdDir = v },
        ["--firewall-save"] = (o, v) => o with { FirewallSave = v },
        ["--install-root"] = (o, v) => o with { InstallRoot = v },
        ["--upgrade-ready-seconds"] = (o, v) => o with { UpgradeReadySeconds = int.TryParse(v, out var s) && s > 0 ? s : throw new OptionsException($"--upgrade-ready-seconds must be a positive number, not '{v}'") },
        ["--max-upgrade-bytes"] = (o, v) => o with { MaxUpgradeBytes = Bytes("--max-upgrade-bytes", v) },
        ["--max-backup-bytes"] = (o, v) => o with { MaxBackupBytes = Bytes("--max-backup-bytes", v) },
        ["--network-confirm-seconds"] = (o, v) => o with { NetworkConfirmSeconds = Seconds("--network-confirm-seconds", v) },
        [TestFaultsFlag] = (o, v) => o with { TestFaults = bool.TryParse(v, out var on) ? on : throw new OptionsException($"{TestFaultsFlag} takes no value, or =true or =false, not '{v}'") },
        ["--authorized-keys-file"] = (o, v) => o with { AuthorizedKeysFile = AbsolutePath("--authorized-keys-file", v) },
        ["--seed-authorized-keys"] = (o, v) => o with { SeedAuthorizedKeys = AbsolutePath("--seed-authorized-keys", v) },
        ["--accounts-file"] = (o, v) => o with { AccountsFile = AbsolutePath("--accounts-file", v) },
        ["--tombstone-grace-seconds"] = (o, v) => o with { TombstoneGraceSeconds = Seconds("--tombstone-grace-seconds", v) },
        ["--tombstone-horizon-seconds"] = (o, v) => o with { TombstoneHorizonSeconds = Seconds("--tombstone-horizon-seconds", v) },
        ["--web-port"] = (o, v) => o with { WebPort = v == "0" ? 0 : Port("--web-port", v) },
        ["--web-bind"] = (o, v) => o with { WebBind = System.Net.IPAddress.TryParse(v, out _) ? v : throw new OptionsException($"--web-bind must be an IP address, not '{v}'") },
        ["--web-idle-seconds"] = (o, v) => o with { WebIdleSeconds = Seconds("--web-idle-seconds", v) },
        ["--snmpd-conf"] = (o, v) => o with { SnmpdConf = v },
        ["--snmp-status-dir"] = (o, v) => o with { SnmpStatusDir = v },
    };

    private const string TestFaultsFlag = "--test-faults";

    public static string Usage =>
        "usage: applianced [--data-dir DIR] [--api-socket PATH] [--hal simulated|linux] [--config FILE]\n" +
        "                  [--serial S] [--lcd DEVICE] [--bind ADDR] [--replication-port N] [--recovery-port N]\n" +
        "                  [--sip-port N] [--sip-tls-port N] [--bridge-watch-networks CIDR,...]\n" +
        "                  [--interface IF] [--resolv-conf PATH] [--timesyncd-conf PATH] [--install-root DIR] [--upgrade-ready-seconds N]\n" +
        "                  [--max-upgrade-bytes N] [--max-backup-bytes N] [--networkd-dir DIR] [--firewall-save PATH]\n" +
        "                  [--network-confirm-seconds N]\n" +
        "                  [--authorized-keys-file PATH] [--seed-authorized-keys PATH] [--accounts-file PATH]\n" +
        "                  [--snmpd-conf FILE] [--snmp-status-dir DIR] [--test-faults]\n" +
        "                  [--web-port N (0: no HTTPS pages)] [--web-bind ADDR] [--web-idle-seconds N]\n" +
        "                  [--tombstone-grace-seconds N] [--tombstone-horizon-seconds N]\n" +
        "       applianced --show-vendor-key   (which vendor key this build trusts, then exit)\n" +
        "       applianced --version           (this build's software version, then exit)";

    /// <summary>Command line over configuration file over defaults.</summary>
    public static DaemonOptions Parse(string[] args)
    {
        var pairs = new List<(string Name, string Value)>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string value;
            var eq = name.IndexOf('=');
            if (name == TestFaultsFlag) value = "true"; // a switch: it takes no value
            else if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0) (name, value) = (name[..eq], name[(eq + 1)..]);
            else if (i + 1 < args.Length) value = args[++i];
            else throw new OptionsException($"option {name} needs a value");
            if (!Setters.ContainsKey(name)) throw new OptionsException($"unknown option '{name}'");
            pairs.Add((name, value));
        }
        var configFile = pairs.LastOrDefault(p => p.Name == "--config").Value;
        var options = LoadFile(configFile ?? DefaultConfigFile, mustExist: configFile is not null);
        foreach (var (name, value) in pairs) options = Setters[name](options, value);
        // After the file and the command line alike: applianced.json's networkConfirmSeconds is held to the same range.
        if (options.NetworkConfirmSeconds is < 5 or > 3600)
            throw new OptionsException($"--network-confirm-seconds (networkConfirmSeconds) must be a whole number from 5 to 3600, not {options.NetworkConfirmSeconds}");
        if (options.TombstoneGraceSeconds <= 0 || options.TombstoneHorizonSeconds < options.TombstoneGraceSeconds)
            throw new OptionsException($"tombstone grace {options.TombstoneGraceSeconds} s and horizon {options.TombstoneHorizonSeconds} s: " +
                "the grace must be positive and the horizon at least the grace (a member is waited for at least as long as the grace)");
        if (options.TestFaults && !Licensing.VendorKey.BuiltInIsTestKey)
            throw new OptionsException($"{TestFaultsFlag} (testFaults) is refused: this build trusts a production vendor key, and a shipped box never accepts commands that hang the daemon; only test builds and test images take it");
        return options;
    }

    private static DaemonOptions LoadFile(string path, bool mustExist)
    {
        if (!File.Exists(path))
        {
            return mustExist ? throw new OptionsException($"configuration file {path} does not exist") : new DaemonOptions();
        }
        try
        {
            return JsonSerializer.Deserialize<DaemonOptions>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web)
            {
                UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
            }) ?? new DaemonOptions();
        }
        catch (JsonException e)
        {
            throw new OptionsException($"configuration file {path} is not valid: {e.Message}");
        }
    }

    private static long Bytes(string name, string value) =>
        long.TryParse(value, out var n) && n > 0 ? n : throw new OptionsException($"{name} must be a positive number of bytes, not '{value}'");

    private static string AbsolutePath(string name, string value) =>
        Path.IsPathFullyQualified(value) ? value : throw new OptionsException($"{name} must be an absolute path, not '{value}'");

    private static int Seconds(string name, string value) =>
        int.TryParse(value, out var s) && s > 0 ? s : throw new OptionsException($"{name} must be a positive number of seconds, not '{value}'");

    private static List<System.Net.IPNetwork> Networks(string name, string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => System.Net.IPNetwork.TryParse(n, out var network) ? network
                : throw new OptionsException($"{name} takes networks like 127.0.0.0/8, comma-separated; '{n}' is not one"))
            .ToList();

    private static int Port(string name, string value) =>
        int.TryParse(value, out var port) && port is > 0 and < 65536 ? port : throw new OptionsException($"{name} must be a TCP port 1-65535, not '{value}'");
}

public sealed class OptionsException(string message) : Exception(message);
