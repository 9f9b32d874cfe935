using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

/// <summary>
/// ssh.enabled false stops sshd, leaving the console login as admin as the only way in: it needs
/// admin.password, and the password cannot be removed while any peer's SSH is off.
/// </summary>
public sealed class WayInRuleTests
{
    private static readonly ConfigContext NoPassword = new() { AdminPasswordSet = false };
    private static readonly ConfigContext WithPassword = new() { AdminPasswordSet = true };

    [Fact]
    public void Ssh_cannot_be_disabled_without_an_admin_password()
    {
        var error = Refused(() => ConfigOps.Set("ssh", null, "enabled", ["false"], NoPassword), "ssh.enabled");
        Assert.Contains("admin.password is not set", error.Rule);
        Assert.Equal("false", error.Value);
    }

    [Fact]
    public void Ssh_can_be_disabled_with_an_admin_password_and_enabled_again_without_one()
    {
        var off = ConfigOps.Set("ssh", null, "enabled", ["false"], WithPassword).Value;
        Assert.False(off["enabled"]!.GetValue<bool>());
        Assert.True(ConfigOps.Set("ssh", off, "enabled", ["true"], NoPassword).Value["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Without_knowing_the_password_state_the_rule_is_skipped()
    {
        // A restored or replicated record is checked without the cluster's admin section; the
        // applier then keeps sshd running instead (SshApplier).
        Assert.False(ConfigOps.Set("ssh", null, "enabled", ["false"]).Value["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Admin_password_cannot_be_removed_while_ssh_is_off_here_or_on_another_peer()
    {
        var admin = ConfigOps.Set("admin", null, "password", ["s3cret-pass"]).Value;
        var here = Refused(() => ConfigOps.Unset("admin", admin, "password", new ConfigContext { OwnSshDisabled = true }), "admin.password");
        Assert.Contains("SSH is disabled on this peer", here.Rule);
        Assert.Null(here.Value);

        var other = new PeerView(2, "peer 2", "node-b", null, null) { SshDisabled = true };
        var there = Refused(() => ConfigOps.Unset("admin", admin, "password", new ConfigContext { OtherPeers = [other] }), "admin.password");
        Assert.Contains("peer 2", there.Rule);

        Assert.Null(ConfigOps.Unset("admin", admin, "password", new ConfigContext { OtherPeers = [other with { SshDisabled = false }] }).Value["password"]);
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("quote\"d")]
    [InlineData("it's")]
    [InlineData("back\\slash")]
    [InlineData("hash#tag")]
    [InlineData("caf\u00e9")]
    public void Snmp_community_is_refused_when_snmpd_conf_would_read_it_differently_and_not_echoed(string community)
    {
        var error = Refused(() => ConfigOps.Set("snmp", null, "community", [community]), "snmp.community");
        Assert.Null(error.Value);
        Assert.DoesNotContain(community, error.ToString());
    }

    [Fact]
    public void Snmp_community_of_printable_ascii_is_accepted()
    {
        var value = ConfigOps.Set("snmp", new JsonObject(), "community", ["Pub!ic-2026_$%&()*+,./:;<=>?@[]^`{|}~"]).Value;
        Assert.Equal("Pub!ic-2026_$%&()*+,./:;<=>?@[]^`{|}~", value["community"]!.GetValue<string>());
    }
}
