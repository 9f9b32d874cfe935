using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Appliers;

/// <summary>The accounts applier: what reaches the chpasswd request file, and the alarm for a hash the OS cannot use.</summary>
public sealed class AccountsApplierTests
{
    [Fact]
    public async Task An_old_pbkdf2_admin_password_raises_set_it_again_and_is_not_handed_to_the_os()
    {
        using var dir = new TempDirectory();
        var file = dir["accounts/passwords"];
        await using var node = NodeFixture.Start(options: o => o with { AccountsFile = file });
        var accounts = node.Appliers.Accounts!;

        // As a release before crypt(3) hashes stored it.
        var old = PasswordHash.LegacyPbkdf2.Hash("old pw", PasswordHash.LegacyPbkdf2.MinIterations);
        var admin = node.Node.Config.Read("admin");
        var planted = (JsonObject)admin.DeepClone();
        planted["password"] = old;
        node.Node.Config.Change("admin", null, admin, planted, "older-release", "test", "admin.password");
        await node.Settled(accounts, s => s.Reason.Contains("old form", StringComparison.Ordinal));
        var alarm = Assert.Single(node.Node.Logs.Alarms.Active(), a => a.Id == AccountsApplier.OldFormAlarm);
        Assert.Contains("set admin.password again", alarm.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("admin:", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify(old, "old pw"), "the old hash still verifies for the daemon's own use");

        await node.Set("admin.password", "new pw");
        await node.Settled(accounts, s => !s.Reason.Contains("old form", StringComparison.Ordinal));
        Assert.DoesNotContain(node.Node.Logs.Alarms.Active(), a => a.Id == AccountsApplier.OldFormAlarm);
        var line = Assert.Single(File.ReadAllLines(file));
        Assert.StartsWith("admin:$y$", line, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify(line["admin:".Length..], "new pw"));
    }

    [Fact]
    public async Task A_root_password_change_a_local_section_is_applied_without_a_commit()
    {
        using var dir = new TempDirectory();
        var file = dir["accounts/passwords"];
        await using var node = NodeFixture.Start(options: o => o with { AccountsFile = file });
        await node.Settled(node.Appliers.Accounts!);
        Assert.Equal("", File.ReadAllText(file));

        await node.Set("root.password", "root pw");
        await NodeFixture.Eventually(() => File.ReadAllText(file).StartsWith("root:$y$", StringComparison.Ordinal), () => File.ReadAllText(file));
        Assert.True(PasswordHash.Verify(File.ReadAllText(file).Trim()["root:".Length..], "root pw"));
    }
}
