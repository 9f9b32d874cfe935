using System.Text.Json;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// What one applianced process runs with. Defaults are the appliance's own; tests and the demo
/// override them so that several peers run side by side on one machine.
/// </summary>
public sealed record DaemonOptions
{
    public const string DefaultConfigFile = "/etc/appliance/applianced.json";

    public string DataDir { get; init; } = "/var/lib/appliance";
    public string ApiSocket { get; init; } = "/run/appliance/api.sock";
    public string Hal { get; init; } = "linux";
    public string? ConfigFile { get; init; }
    /// <summary>Hardware serial override for the simulated identity.</summary>
    public string? Serial { get; init; }
    /// <summary>Serial device of the front panel; none means no panel.</summary>
    public string? Lcd { get; init; }
    /// <summary>Address the cluster listens on; defaults to the LAN1 address from the store.</summary>
    public string? Bind { get; init; }
    public int ReplicationPort { get; init; } = 4372;
    public int RecoveryPort { get; init; } = 4371;
    /// <summary>Test option: the software version this peer reports to others (R4 tests).</summary>
    public string? ReportVersion { get; init; }
    /// <summary>Test option: a dialer's wait after a failed or refused attempt, so a test can show links come back without waiting it out.</summary>
    public int? DialRetryMs { get; init; }
    /// <summary>The LAN1 interface the Linux HAL manages.</summary>
    public string Interface { get; init; } = "eth0";
    public string ResolvConf { get; init; } = "/etc/resolv.conf";
    public string TimesyncdConf { get; init; } = "/etc/systemd/timesyncd.conf.d/appliance.conf";
    public long LogCapBytes { get; init; } = 4 << 20;
    /// <summary>Where upgrade releases live: releases/&lt;version&gt; and the `current` link (R13).</summary>
    public string InstallRoot { get; init; } = "/opt/appliance";
    /// <summary>How long a newly installed version has to become ready before it is rolled back.</summary>
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
        ["--report-version"] = (o, v) => o with { ReportVersion = v },
        ["--dial-retry-ms"] = (o, v) => o with { DialRetryMs = int.TryParse(v, out var ms) && ms > 0 ? ms : throw new OptionsException($"--dial-retry-ms must be a positive number, not '{v}'") },
        ["--interface"] = (o, v) => o with { Interface = v },
        ["--resolv-conf"] = (o, v) => o with { ResolvConf = v },
        ["--timesyncd-conf"] = (o, v) => o with { TimesyncdConf = v },
        ["--install-root"] = (o, v) => o with { InstallRoot = v },
        ["--upgrade-ready-seconds"] = (o, v) => o with { UpgradeReadySeconds = int.TryParse(v, out var s) && s > 0 ? s : throw new OptionsException($"--upgrade-ready-seconds must be a positive number, not '{v}'") },
        ["--max-upgrade-bytes"] = (o, v) => o with { MaxUpgradeBytes = Bytes("--max-upgrade-bytes", v) },
        ["--max-backup-bytes"] = (o, v) => o with { MaxBackupBytes = Bytes("--max-backup-bytes", v) },
        ["--snmpd-conf"] = (o, v) => o with { SnmpdConf = v },
        ["--snmp-status-dir"] = (o, v) => o with { SnmpStatusDir = v },
    };

    public static string Usage =>
        "usage: applianced [--data-dir DIR] [--api-socket PATH] [--hal simulated|linux] [--config FILE]\n" +
        "                  [--serial S] [--lcd DEVICE] [--bind ADDR] [--replication-port N] [--recovery-port N]\n" +
        "                  [--interface IF] [--resolv-conf PATH] [--timesyncd-conf PATH] [--install-root DIR] [--upgrade-ready-seconds N]\n" +
        "                  [--max-upgrade-bytes N] [--max-backup-bytes N] [--snmpd-conf FILE] [--snmp-status-dir DIR]\n" +
        "       applianced --show-vendor-key   (which vendor key this build trusts, then exit)";

    /// <summary>Command line over configuration file over defaults.</summary>
    public static DaemonOptions Parse(string[] args)
    {
        var pairs = new List<(string Name, string Value)>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string value;
            var eq = name.IndexOf('=');
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0) (name, value) = (name[..eq], name[(eq + 1)..]);
            else if (i + 1 < args.Length) value = args[++i];
            else throw new OptionsException($"option {name} needs a value");
            if (!Setters.ContainsKey(name)) throw new OptionsException($"unknown option '{name}'");
            pairs.Add((name, value));
        }
        var configFile = pairs.LastOrDefault(p => p.Name == "--config").Value;
        var options = LoadFile(configFile ?? DefaultConfigFile, mustExist: configFile is not null);
        foreach (var (name, value) in pairs) options = Setters[name](options, value);
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

    private static int Port(string name, string value) =>
        int.TryParse(value, out var port) && port is > 0 and < 65536 ? port : throw new OptionsException($"{name} must be a TCP port 1-65535, not '{value}'");
}

public sealed class OptionsException(string message) : Exception(message);
