using System.Text.Json.Nodes;
using Appliance.Ctl;
using Appliance.Daemon.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>
/// `appliancectl ssh-keys` against a real applianced started with --seed-authorized-keys,
/// --authorized-keys-file and --accounts-file: what the operator types, what sshd and chpasswd get.
/// </summary>
public sealed class SshKeyDaemonTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(30);
    private readonly StandaloneDaemon _d = new();
    private GeneratedSshKey _seed = null!;
    private string AuthorizedKeys => _d["ssh/authorized_keys"];
    private string Accounts => _d["accounts/passwords"];

    public async Task InitializeAsync()
    {
        _seed = await GeneratedSshKey.CreateAsync(_d.Root, "ed25519", comment: "builder@image");
        await File.WriteAllTextAsync(_d["seed"], $"# seed\n{_seed.PublicLine}\nnot a key at all\n");
        _d.Daemon.ExtraArgs = ["--seed-authorized-keys", _d["seed"], "--authorized-keys-file", AuthorizedKeys, "--accounts-file", Accounts];
        await _d.Daemon.StartAsync();
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    private async Task<(int Code, string Out, string Err)> Ctl(string stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = await Cli.RunAsync(["--socket", _d.Daemon.SocketPath, .. args], new StringReader(stdin), output, error).WaitAsync(T);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<JsonArray> ListAsync()
    {
        var (code, output, error) = await Ctl("", "--json", "ssh-keys", "list");
        Assert.True(code == ExitCodes.Ok, error);
        return (JsonArray)JsonNode.Parse(output)!["keys"]!;
    }

    private async Task WaitForFileAsync(string path, Func<string, bool> condition, string what) =>
        await Eventually.WaitUntil(() => Task.FromResult(File.Exists(path) && condition(File.ReadAllText(path))), T, what);

    [Fact(Timeout = 90_000)]
    public async Task The_seed_key_is_imported_once_and_written_for_sshd_with_strict_modes()
    {
        var keys = await ListAsync();
        var seeded = Assert.Single(keys);
        Assert.Equal("builder-image", (string?)seeded!["name"]);
        Assert.Equal(_seed.Fingerprint, (string?)seeded["fingerprint"]);
        var events = (await _d.Daemon.LogEntries("events")).Select(e => (string?)e["message"]).ToList();
        Assert.Contains(events, m => m!.Contains("line 3: is not a key of an accepted type", StringComparison.Ordinal));
        Assert.Contains(events, m => m!.Contains("1 key(s) imported", StringComparison.Ordinal));

        await WaitForFileAsync(AuthorizedKeys, t => t.Contains(_seed.PublicLine, StringComparison.Ordinal), "the seed key reaches authorized_keys");
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(AuthorizedKeys));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.GetDirectoryName(AuthorizedKeys)!));

        // Removed keys stay removed: the seed is not read again at the next start.
        Assert.Equal(ExitCodes.Ok, (await Ctl("pw1\npw1\n", "config", "set", "admin.password")).Code);
        Assert.Equal(ExitCodes.Ok, (await Ctl("", "ssh-keys", "remove", "builder-image")).Code);
        await _d.Daemon.RestartAsync();
        Assert.Empty(await ListAsync());
        await WaitForFileAsync(AuthorizedKeys, t => !t.Contains(_seed.Blob, StringComparison.Ordinal), "the removed key leaves authorized_keys");
    }

    [Fact(Timeout = 90_000)]
    public async Task Keys_are_added_from_stdin_listed_with_ssh_keygen_fingerprints_and_removed_by_name_or_fingerprint()
    {
        var ecdsa = await GeneratedSshKey.CreateAsync(_d.Root, "ecdsa", 384);
        var rsa = await GeneratedSshKey.CreateAsync(_d.Root, "rsa", 3072);
        var added = await Ctl($"{ecdsa.PublicLine}\n\n{rsa.PublicLine}\n", "ssh-keys", "add", "ops", "-");
        Assert.True(added.Code == ExitCodes.Ok, added.Err);
        Assert.Contains("2 SSH key(s) added: ops, ops-2", added.Out, StringComparison.Ordinal);

        var keys = (await ListAsync()).Cast<JsonObject>().ToDictionary(k => (string)k["name"]!);
        Assert.Equal(ecdsa.Fingerprint, (string?)keys["ops"]["fingerprint"]);
        Assert.Equal(384, (int)keys["ops"]["bits"]!);
        Assert.Equal("ecdsa-sha2-nistp384", (string?)keys["ops"]["type"]);
        Assert.Equal(rsa.Fingerprint, (string?)keys["ops-2"]["fingerprint"]);
        Assert.Equal(3072, (int)keys["ops-2"]["bits"]!);
        Assert.Equal(rsa.Comment, (string?)keys["ops-2"]["comment"]);
        var table = await Ctl("", "ssh-keys", "list");
        Assert.Contains(rsa.Fingerprint, table.Out, StringComparison.Ordinal);
        await WaitForFileAsync(AuthorizedKeys, t => t.Contains(ecdsa.PublicLine, StringComparison.Ordinal) && t.Contains(rsa.PublicLine, StringComparison.Ordinal),
            "both keys reach authorized_keys");

        var again = await Ctl(rsa.PublicLine + "\n", "ssh-keys", "add", "-");
        Assert.Equal(ExitCodes.Rejected, again.Code);
        Assert.Contains("line 1: this key", again.Err, StringComparison.Ordinal);
        Assert.Contains("already installed as 'ops-2'", again.Err, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, (await Ctl("", "ssh-keys", "remove", "ops")).Code);
        Assert.Equal(ExitCodes.Ok, (await Ctl("", "ssh-keys", "remove", rsa.Fingerprint)).Code);
        var left = Assert.Single(await ListAsync());
        Assert.Equal(_seed.Fingerprint, (string?)left!["fingerprint"]);
        await WaitForFileAsync(AuthorizedKeys, t => !t.Contains(rsa.Blob, StringComparison.Ordinal) && !t.Contains(ecdsa.Blob, StringComparison.Ordinal),
            "removed keys leave authorized_keys");
    }

    [Fact(Timeout = 90_000)]
    public async Task A_bad_line_adds_nothing_and_names_its_line_without_the_key()
    {
        var good = await GeneratedSshKey.CreateAsync(_d.Root, "ed25519");
        var weak = await GeneratedSshKey.CreateAsync(_d.Root, "rsa", 1024);
        var optioned = await GeneratedSshKey.CreateAsync(_d.Root, "ed25519");
        var refused = await Ctl($"{good.PublicLine}\n{weak.PublicLine}\n", "ssh-keys", "add", "-");
        Assert.Equal(ExitCodes.Rejected, refused.Code);
        Assert.Contains("line 2: is a 1024-bit RSA key; at least 2048 bits are required; no key was added", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(weak.Blob[20..60], refused.Err, StringComparison.Ordinal);

        var withOptions = await Ctl($"command=\"/bin/sh\" {optioned.PublicLine}\n", "ssh-keys", "add", "-");
        Assert.Equal(ExitCodes.Rejected, withOptions.Code);
        Assert.Contains("line 1: starts with options", withOptions.Err, StringComparison.Ordinal);
        Assert.Single(await ListAsync());

        var generic = await Ctl("", "config", "add", "ssh-keys", "x", "key=" + good.PublicLine);
        Assert.Equal(ExitCodes.Usage, generic.Code);
        Assert.Contains("changed with the ssh-keys commands", generic.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await Ctl("", "config", "remove", "ssh-keys", "builder-image")).Code);
        Assert.Single(await ListAsync());
    }

    [Fact(Timeout = 90_000)]
    public async Task The_last_key_goes_only_while_a_console_password_remains_which_reaches_the_accounts_file()
    {
        var refused = await Ctl("", "ssh-keys", "remove", "builder-image");
        Assert.Equal(ExitCodes.Rejected, refused.Code);
        Assert.Contains("no way in would remain", refused.Err, StringComparison.Ordinal);
        Assert.Contains("set admin.password first", refused.Err, StringComparison.Ordinal);
        Assert.Single(await ListAsync());
        Assert.False(File.Exists(Accounts) && File.ReadAllText(Accounts).Length > 0, "no password is set, so no account is listed");

        Assert.Equal(ExitCodes.Ok, (await Ctl("console-pw\nconsole-pw\n", "config", "set", "admin.password")).Code);
        Assert.Equal(ExitCodes.Ok, (await Ctl("root-pw\nroot-pw\n", "config", "set", "root.password")).Code);
        await WaitForFileAsync(Accounts, t => t.Contains("root:", StringComparison.Ordinal), "both passwords reach the accounts file");
        var lines = File.ReadAllText(Accounts).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 1)..]);
        Assert.Equal(["admin", "root"], lines.Keys.Order());
        Assert.StartsWith("$y$", lines["admin"], StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify(lines["admin"], "console-pw"));
        Assert.True(PasswordHash.Verify(lines["root"], "root-pw"));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Accounts));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Path.GetDirectoryName(Accounts)!));

        var removed = await Ctl("", "ssh-keys", "remove", _seed.Fingerprint);
        Assert.True(removed.Code == ExitCodes.Ok, removed.Err);
        Assert.Empty(await ListAsync());
    }
}
