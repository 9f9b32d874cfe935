using static Appliance.Ctl.A;

namespace Appliance.Ctl;

/// <summary>Every command the CLI knows, and the API cmd it maps to. Adding a command is one line.</summary>
internal static class Commands
{
    public static readonly CommandSpec[] All =
    [
        new("status", "status", "host, version, cluster, alarms and applier state"),

        new("config show", "config.show", "show the configuration, or one section", Opt("section", "SECTION"), Option("peer", "--peer", "HOST")),
        new("config get", "config.get", "show one field", Req("path", "SECTION.FIELD")),
        new("config set", "config.set", "set a field (lists take several values; a secret is asked for)",
            Req("path", "SECTION.FIELD"), Rest("values", "VALUE", 0)) { Prepare = ConfigSecrets.PrepareSetAsync, ExtraArgsMessage = ConfigSecrets.NoOptions },
        new("config unset", "config.unset", "clear a field (SECTION.ITEM deletes an item; cluster.key or cluster.peers leaves the cluster)", Req("path", "SECTION.FIELD"))
        {
            // Either ends the membership (R10), as `cluster leave` does, and asks as it does.
            ConfirmWhen = args => args["path"]?.GetValue<string>() is ClusterKey.KeyPath or ClusterKey.PeersPath,
            Confirm = (host, args) => $"peer {host} will leave the cluster ({args["path"]} is cleared); its shared configuration stays",
        },
        new("config add", "config.add", "add an item to a collection section (a secret field alone is asked for)",
            Req("section", "SECTION"), Req("name", "NAME"), Pairs("fields") with { BareKeys = true }) { Prepare = ConfigSecrets.PrepareAddAsync, ExtraArgsMessage = ConfigSecrets.NoOptions },
        new("config update", "config.update", "change several fields of one item (or of a plain section) together: all stored in one commit, or none",
            Req("section", "SECTION"), Opt("name", "NAME"), Pairs("fields") with { BareKeys = true }) { Prepare = ConfigSecrets.PrepareUpdateAsync, ExtraArgsMessage = ConfigSecrets.NoOptions },
        new("config remove", "config.remove", "remove an item from a collection section", Req("section", "SECTION"), Req("name", "NAME")),
        new("config sections", "config.sections", "list the sections and their fields"),
        new("config confirm", "config.confirm", "keep a network change (ipv4.address/mask/gateway, ethernet.speed) made over SSH; unconfirmed it reverts"),

        new("cluster show", "cluster.show", "cluster id, key state and peers"),
        new("cluster set-key", "cluster.setKey", "set the cluster key (asked for, or read from stdin)")
        {
            ExtraArgsMessage = "the cluster key is never taken from the command line, where the process list "
                + "and shell history would keep it; run `cluster set-key` alone and type it at the prompt, "
                + "or pipe it on stdin",
            Prepare = ClusterKey.PrepareAsync,
        },
        new("cluster set-peers", "cluster.setPeers", "set the peer addresses", Rest("addresses", "ADDR", 1)),
        new("cluster leave", "cluster.leave", "leave the cluster") { Confirm = (host, _) => $"peer {host} will leave the cluster; its shared configuration stays" },
        new("cluster forget", "cluster.forget", "forget a dead peer no longer in this peer's list: its records go on every member (refused while it answers)",
            Req("address", "ADDRESS"))
        {
            Confirm = (_, args) => $"peer {args["address"]} will be forgotten: its records are removed on every member",
        },
        new("cluster check", "cluster.check", "check the cluster links and settings (exit 2 when a check fails)") { ExitCode = ExitCodes.ForChecks },
        new("cluster verify", "cluster.verify", "compare the shared configuration on all peers"),
        new("conferences show", "conferences.show", "live conferences (the shared status, the same on every peer): bridge, participants, start, the peer that placed it"),
        new("conferences place", "conferences.place", "where a call to ALIAS arriving here would go now (alias, bridge health, licences), without placing it",
            Req("alias", "ALIAS")),
        new("calls show", "calls.show", "the calls this peer's B2BUA holds now: call-id, alias, conference, bridge, state, started"),

        new("log events", "log.read", "the event log", Fixed("log", "events"), Since(), Limit()) { FollowCmd = "log.follow" },
        new("log config", "log.read", "the configuration change log", Fixed("log", "config"), Since(), Limit()) { FollowCmd = "log.follow" },
        new("alarms", "alarms", "raised and recent alarms"),
        new("restart", "restart", "restart the daemon (the configuration is kept)")
        {
            Confirm = (host, _) => $"applianced on peer {host} will restart: the API and the cluster links drop for a few seconds; the configuration is kept",
        },
        new("reboot", "reboot", "reboot the appliance cleanly (through logind)")
        {
            Confirm = (host, _) => $"peer {host} will reboot: every service on it stops until it is back",
        },

        new("firewall show", "firewall.show", "show the active and staged firewall", Pairs("")),
        new("firewall stage", "firewall.stage", "stage a firewall change", Pairs("")),
        new("firewall activate", "firewall.activate", "activate the staged firewall (rolls back unless accepted)", Pairs("")),
        new("firewall accept", "firewall.accept", "keep the activated firewall", Pairs("")),
        new("firewall rollback", "firewall.rollback", "return to the previous firewall", Pairs("")),
        new("backup create", "backup.create", "write a backup on the appliance (encrypted with a password); --out copies it here (FILE, or - for stdout)",
            PasswordFile(), PasswordStdin(), Option("out", "--out", "FILE|-")) { Prepare = BackupPassword.PrepareAsync, Run = Transfers.BackupCreateAsync },
        new("backup download", "backup.download", "copy a backup off the appliance into FILE (or - for stdout)",
            Req("name", "NAME"), Req("out", "FILE|-")) { Run = Transfers.BackupDownloadAsync },
        new("backup delete", "backup.delete", "delete a backup kept on the appliance", Req("name", "NAME")),
        new("backup restore", "backup.restore", "restore a backup of this peer: NAME (as listed), a FILE here, or - for stdin (the daemon restarts)",
            Req("source", "NAME|FILE|-"), PasswordFile(), PasswordStdin())
        {
            Prepare = BackupPassword.PrepareAsync,
            Run = Transfers.BackupRestoreAsync,
            Confirm = (host, args) => $"the configuration of peer {host} will be replaced by the backup {args["source"]}, and applianced restarts",
        },
        new("backup list", "backup.list", "list the backups kept on the appliance"),
        new("licence show", "licence.show", "show the licence"),
        new("licence add", "licence.add", "install licence keys from a file, or from stdin with '-' (one key a line)",
            Req("file", "FILE|-")) { Prepare = TextInput.Into("key", "licence", "licence key") },
        new("certificates list", "certificates.list", "installed CA bundles and server certificates: subject, issuer, expiry, SHA-256"),
        new("certificates add-ca", "certificates.addCa", "install a CA bundle (PEM, one or more CA certificates) from FILE, or from stdin with '-'",
            Req("name", "NAME"), Req("file", "FILE|-")) { Prepare = TextInput.Into("pem", "certificates", "PEM text") },
        new("certificates add-server", "certificates.addServer", "install a server certificate (PEM: certificate, chain, unencrypted key) from FILE or '-'",
            Req("name", "NAME"), Req("file", "FILE|-")) { Prepare = TextInput.Into("pem", "certificates", "PEM text") },
        new("certificates remove", "certificates.remove", "remove an installed certificate (not while certificates.* selects it)", Req("name", "NAME")),
        new("ssh-keys list", "sshkeys.list", "the admin account's SSH keys (shared by all peers): name, type, bits, SHA256 fingerprint, comment"),
        new("ssh-keys add", "sshkeys.add", "add OpenSSH public keys from FILE, or from stdin with '-' (one key a line; NAME names the first)",
            Opt("name", "NAME"), Req("file", "FILE|-")) { Prepare = TextInput.Into("keys", "ssh-keys", "SSH public key") },
        new("ssh-keys remove", "sshkeys.remove", "remove a key by its name or SHA256 fingerprint (the last one only while admin.password is set)",
            Req("key", "NAME|FINGERPRINT")),
        new("bridges status", "bridges.status", "each bridge as every peer sees it over its API: state, ports in use/max, last seen, reason",
            Opt("bridge", "BRIDGE")),
        new("upgrade status", "upgrade.status", "installed versions, the active one, the last upgrade"),
        new("ping", "diag.ping", "ping HOST from this peer (at most 10 echoes; peers need under 30 ms round trip)",
            Req("host", "HOST"), Option("count", "--count", "N", ArgConverters.PositiveInt)),
        new("traceroute", "diag.traceroute", "the route from this peer to HOST (at most 20 hops)", Req("host", "HOST")),
        new("dns lookup", "diag.dns", "resolve NAME with this peer's DNS servers", Req("name", "NAME")),
        new("show interfaces", "diag.interfaces", "this peer's network interfaces: state, MAC, MTU, addresses"),
        new("show routes", "diag.routes", "this peer's IPv4 routing table"),
        new("show ntp", "diag.ntp", "NTP servers and whether the clock is synchronized"),
        new("upgrade", "upgrade.install", "verify, install and restart into a signed package: FILE (FILE.sig beside it), or - with --signature (a .sig file, or its line)",
            Req("package", "FILE|-"), Option("signature", "--signature", "SIG"))
        {
            Run = Transfers.UpgradeAsync,
            Confirm = (host, args) => $"peer {host} will install {args["package"]} and restart into it",
        },
    ];

    /// <summary>Words of the commands handled by the CLI itself.</summary>
    public static readonly string[] Builtins = ["help"];
    public static readonly string[] ShellBuiltins = ["help", "exit", "quit"];

    public static IEnumerable<string> Groups => All.Select(c => c.Group).Distinct();

    public static IEnumerable<CommandSpec> InGroup(string group) => All.Where(c => c.Group == group);
}

/// <summary>Short constructors so that each command above stays on one line.</summary>
internal static class A
{
    public static ArgSpec Req(string name, string display, Func<string, System.Text.Json.Nodes.JsonNode>? convert = null) =>
        new(ArgKind.Required, name, display) { Convert = convert };

    public static ArgSpec Opt(string name, string display, Func<string, System.Text.Json.Nodes.JsonNode>? convert = null) =>
        new(ArgKind.Optional, name, display) { Convert = convert };

    public static ArgSpec Rest(string name, string display, int min) => new(ArgKind.Rest, name, display) { Min = min };

    public static ArgSpec Pairs(string name) => new(ArgKind.Pairs, name, "key=value");

    public static ArgSpec Option(string name, string flag, string display, Func<string, System.Text.Json.Nodes.JsonNode>? convert = null) =>
        new(ArgKind.Option, name, display) { Flag = flag, Convert = convert };

    public static ArgSpec Flag(string name, string flag) => new(ArgKind.Flag, name, "") { Flag = flag };

    public static ArgSpec PasswordFile() => Option("passwordFile", "--password-file", "F", ArgConverters.ExistingFile);

    public static ArgSpec PasswordStdin() => Flag("passwordStdin", "--password-stdin");

    public static ArgSpec Fixed(string name, string value) => new(ArgKind.Fixed, name, "") { Value = value };

    public static ArgSpec Since() => Option("since", "--since", "T", ArgConverters.Since);

    public static ArgSpec Limit() => Option("limit", "--limit", "N", ArgConverters.PositiveInt);
}
