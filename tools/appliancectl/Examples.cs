namespace Appliance.Ctl;

/// <summary>One example line for each command of the table, shown by `help COMMAND` and the man
/// page. A test parses every one against the table, so an example cannot go stale.</summary>
internal static class Examples
{
    private static readonly Dictionary<string, string> ByCommand = new(StringComparer.Ordinal)
    {
        ["status"] = "status",
        ["config show"] = "config show ipv4 --peer 198.18.0.12",
        ["config get"] = "config get system.hostname",
        ["config set"] = "config set ntp.servers 198.18.0.1 ntp.example.net",
        ["config unset"] = "config unset ipv4.gateway",
        ["config add"] = "config add bridges b1 address=198.18.0.50 protocol=https password",
        ["config update"] = "config update bridges b1 address=198.18.0.51 port=8443",
        ["config remove"] = "config remove bridges b1",
        ["config sections"] = "config sections",
        ["config confirm"] = "config confirm",
        ["cluster show"] = "cluster show",
        ["cluster set-key"] = "cluster set-key",
        ["cluster set-peers"] = "cluster set-peers 198.18.0.11 198.18.0.12",
        ["cluster leave"] = "cluster leave",
        ["cluster forget"] = "cluster forget 198.18.0.13",
        ["cluster check"] = "cluster check",
        ["cluster verify"] = "cluster verify",
        ["conferences show"] = "conferences show",
        ["conferences place"] = "conferences place meet.1234@example.com",
        ["calls show"] = "calls show",
        ["log events"] = "log events --since 2h --follow",
        ["log config"] = "log config --since 2026-11-25T10:00:00Z --limit 50",
        ["alarms"] = "alarms",
        ["restart"] = "restart",
        ["reboot"] = "reboot",
        ["firewall show"] = "firewall show",
        ["firewall stage"] = "firewall stage name=web priority=100 source=198.18.0.0/15 protocol=tcp port=443 action=accept",
        ["firewall activate"] = "firewall activate seconds=120",
        ["firewall accept"] = "firewall accept",
        ["firewall rollback"] = "firewall rollback",
        ["backup create"] = "backup create --out peer1.backup",
        ["backup download"] = "backup download backup-20261125-100000 peer1.backup",
        ["backup delete"] = "backup delete backup-20261125-100000",
        ["backup restore"] = "backup restore peer1.backup",
        ["backup list"] = "backup list",
        ["licence show"] = "licence show",
        ["licence add"] = "licence add keys.txt",
        ["certificates list"] = "certificates list",
        ["certificates add-ca"] = "certificates add-ca corp-ca corp-ca.pem",
        ["certificates add-server"] = "certificates add-server web web.pem",
        ["certificates remove"] = "certificates remove corp-ca",
        ["bridges status"] = "bridges status b1",
        ["ssh-keys list"] = "ssh-keys list",
        ["ssh-keys add"] = "ssh-keys add laptop - < ~/.ssh/id_ed25519.pub",
        ["ssh-keys remove"] = "ssh-keys remove laptop",
        ["upgrade status"] = "upgrade status",
        ["upgrade"] = "upgrade applianced-1.2.0.tar.gz",
        ["ping"] = "ping 198.18.0.12 --count 5",
        ["traceroute"] = "traceroute 198.18.0.12",
        ["dns lookup"] = "dns lookup ntp.example.net",
        ["show interfaces"] = "show interfaces",
        ["show routes"] = "show routes",
        ["show ntp"] = "show ntp",
    };

    public static string? For(CommandSpec spec) => ByCommand.GetValueOrDefault(spec.Words);

    /// <summary>For the test: every example, by the command it is for.</summary>
    internal static IReadOnlyDictionary<string, string> All => ByCommand;
}
