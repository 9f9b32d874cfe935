using Appliance.Ctl;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Appliance.Tests.Ctl;

namespace Appliance.Tests.Lifecycle;

/// <summary>Secret fields (issue 16, point 9): never from the command line, never in the shell's history.</summary>
public partial class CtlAgainstDaemonTests
{
    [Fact(Timeout = 90_000)]
    public async Task Shell_SettingEachSecretInEachForm_KeepsEverySecretOutOfTheHistory_AndStoresOnlyThePromptedOnes()
    {
        // One distinct value per attempt, so that each can be looked for alone. refused: typed on the line;
        // the others: typed at the prompt, adminTypo as a second entry that differs from the first.
        string[] refused =
        [
            "Root-Argv-1", "Root-Glued-2", "Root-AfterDashes-3", "Admin-Argv-4", "Admin-Dashed-5",
            "Bridge-Pair-7", "Bridge-Space-8", "Bridge-Argv-9", "Community-Argv-10",
        ];
        const string adminTypo = "Admin-Typo-6", rootOk = "Root-Prompted-11", adminOk = "Admin-Prompted-12",
            bridgeFirst = "Bridge-Prompted-13", bridgeOk = "Bridge-Prompted-14", communityOk = "Community-Prompted-15";
        var keys = new ScriptedTerminal()
            .Type($"config set root.password {refused[0]}\n")
            .Type($"config set Root.Password={refused[1]}\n")
            .Type($"config set root.password -- {refused[2]}\n")
            .Type($"config set root.password\n{rootOk}\n{rootOk}\n")
            .Type($"config set admin.password {refused[3]}\n")
            .Type($"config set admin.password --{refused[4]}\n")
            .Type($"config set admin.password\n{adminOk}\n{adminTypo}\n")
            .Type($"config set admin.password\n{adminOk}\n{adminOk}\n")
            .Type($"config add bridges b1 address=198.18.0.50 password={refused[5]}\n")
            .Type($"config add bridges b1 address=198.18.0.50 password {refused[6]}\n")
            .Type($"config add bridges b1 address=198.18.0.50 password\n{bridgeFirst}\n{bridgeFirst}\n")
            .Type($"config set bridges.b1.password {refused[7]}\n")
            .Type($"config set bridges.b1.password\n{bridgeOk}\n{bridgeOk}\n")
            .Type($"config set snmp.community {refused[8]}\n")
            .Type($"config set snmp.community\n{communityOk}\n{communityOk}\n")
            .Type("status\nhelp\n");
        for (var i = 0; i < 40; i++)
            keys.Press(ConsoleKey.UpArrow); // each line the editor recalls is drawn on stdout, after the help text
        keys.Press(ConsoleKey.U, control: true).Type("\nexit\n");
        using var home = new Support.TempDirectory();
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var host = new CliHost(new StringReader(""), output, error) { Terminal = keys, GetEnv = n => n == "HOME" ? home.Path : null };

        var code = await Cli.RunAsync(["--socket", _d.Daemon.SocketPath], host, default).WaitAsync(T);

        var history = await File.ReadAllLinesAsync(Path.Combine(home.Path, ".appliancectl_history"));
        Assert.Equal(["status", "help"], history); // no line that named a secret, refused or not
        Assert.True(code == ExitCodes.Ok, error.ToString());
        var err = error.ToString();
        foreach (var path in new[] { "root.password", "admin.password", "bridges.b1.password", "snmp.community" })
            Assert.Contains($"{path} is a secret and is never taken from the command line", err, StringComparison.Ordinal);
        Assert.Contains("this command takes no options", err, StringComparison.Ordinal);
        Assert.Contains("the two entries for admin.password differ", err, StringComparison.Ordinal);
        Assert.Contains("root.password again: ", err, StringComparison.Ordinal);
        var typed = output.ToString();
        var recalled = typed[typed.LastIndexOf("Tab completes", StringComparison.Ordinal)..];
        Assert.Contains("status", recalled, StringComparison.Ordinal); // the up-arrow reached it...
        Assert.DoesNotContain(".password", recalled, StringComparison.Ordinal); // ...and no secret line was there
        string[] prompted = [adminTypo, rootOk, adminOk, bridgeFirst, bridgeOk, communityOk];
        Assert.All(refused, s => Assert.Single(typed.Split(s)[1..])); // drawn once, as it was typed; never repeated
        Assert.All([.. refused, .. prompted], s => Assert.DoesNotContain(s, err, StringComparison.Ordinal));
        Assert.All(prompted, s => Assert.DoesNotContain(s, typed, StringComparison.Ordinal));
        await AssertNotInLogsAsync([.. refused, .. prompted]);

        await _d.Daemon.StopAsync();
        using var store = Store.Open(_d.Daemon.DataDir);
        var stored = ReadBack(store);
        var root = stored.Read("root")["password"]!.GetValue<string>();
        var admin = stored.Read("admin")["password"]!.GetValue<string>();
        Assert.True(PasswordHash.Verify(root, rootOk));
        Assert.True(PasswordHash.Verify(admin, adminOk));
        Assert.All(refused[..3], s => Assert.False(PasswordHash.Verify(root, s)));
        Assert.All([refused[3], refused[4], adminTypo], s => Assert.False(PasswordHash.Verify(admin, s)));
        Assert.Equal(bridgeOk, stored.Item("bridges", "b1")!["password"]!.GetValue<string>());
        Assert.Equal(communityOk, stored.Read("snmp")["community"]!.GetValue<string>());
    }

    [Fact(Timeout = 90_000)]
    public async Task RealBinary_TakesSecretsFromStdin_AndRefusesThemOnTheCommandLine_StoringNothing()
    {
        const string admin = "Admin-Piped-Secret-1", bridge = "Bridge-Piped-Secret-2";
        const string adminArgv = "Admin-Argv-Secret-3", bridgeArgv = "Bridge-Argv-Secret-4", rootArgv = "Root-Argv-Secret-5";

        var piped = await RunBinaryAsync(admin + "\n", "config", "set", "admin.password"); // echo SECRET | appliancectl ...
        Assert.True(piped.Code == ExitCodes.Ok, piped.Err);
        var added = await RunBinaryAsync(bridge + "\n", "config", "add", "bridges", "b2", "address=198.18.0.51", "password");
        Assert.True(added.Code == ExitCodes.Ok, added.Err);

        var onArgv = new[]
        {
            await RunBinaryAsync("", "config", "set", "admin.password", adminArgv),
            await RunBinaryAsync("", "config", "add", "bridges", "b3", "address=198.18.0.52", "password=" + bridgeArgv),
            await RunBinaryAsync("", "config", "set", "root.password", rootArgv),
            await RunBinaryAsync("", "config", "set", "cluster.key", rootArgv),
        };
        var noStdin = await RunBinaryAsync("", "config", "set", "root.password");

        Assert.All(onArgv, r => Assert.Equal(ExitCodes.Usage, r.Code));
        Assert.Contains("admin.password is a secret", onArgv[0].Err, StringComparison.Ordinal);
        Assert.Contains("bridges.b3.password is a secret", onArgv[1].Err, StringComparison.Ordinal);
        Assert.Contains("`cluster set-key`", onArgv[3].Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, noStdin.Code);
        Assert.Contains("no value for root.password on stdin", noStdin.Err, StringComparison.Ordinal);
        string[] secrets = [admin, bridge, adminArgv, bridgeArgv, rootArgv];
        Assert.All(onArgv.Append(piped).Append(added).Append(noStdin),
            r => Assert.All(secrets, s => Assert.DoesNotContain(s, r.Out + r.Err, StringComparison.Ordinal)));
        Assert.Equal("not set", (string?)(await _d.Daemon.Api("cluster.show"))["key"]);
        await AssertNotInLogsAsync(secrets);

        await _d.Daemon.StopAsync();
        using var store = Store.Open(_d.Daemon.DataDir);
        var stored = ReadBack(store);
        var hash = stored.Read("admin")["password"]!.GetValue<string>();
        Assert.True(PasswordHash.Verify(hash, admin));
        Assert.False(PasswordHash.Verify(hash, adminArgv));
        Assert.Equal(bridge, stored.Item("bridges", "b2")!["password"]!.GetValue<string>());
        Assert.Null(stored.Item("bridges", "b3"));
        Assert.Null(stored.Read("root")["password"]);
    }

    private async Task AssertNotInLogsAsync(IEnumerable<string> secrets)
    {
        var logs = Path.Combine(_d.Daemon.DataDir, "logs");
        var text = string.Concat(await Task.WhenAll(Directory.EnumerateFiles(logs, "*", SearchOption.AllDirectories).Select(f => File.ReadAllTextAsync(f))));
        Assert.All(secrets, s => Assert.DoesNotContain(s, text + _d.Daemon.Output, StringComparison.Ordinal));
    }

    /// <summary>The stopped daemon's configuration as stored (its own logs stay untouched).</summary>
    private ConfigStore ReadBack(Store store) => new(store, new NodeLogs(_d["readback"], 1 << 20, TimeProvider.System));
}
