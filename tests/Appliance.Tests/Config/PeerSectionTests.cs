using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

public class PeerSectionTests
{
    [Theory]
    [InlineData("system", "hostname", "conductor-a", "conductor-a")]
    [InlineData("system", "hostname", "Peer1.lab", "peer1.lab")]
    [InlineData("system", "domain", "example.test", "example.test")]
    [InlineData("ethernet", "speed", "1000full", "1000full")]
    [InlineData("ethernet", "speed", "AUTO", "auto")]
    [InlineData("ethernet", "speed", "100half", "100half")]
    [InlineData("ipv4", "address", "198.18.0.10", "198.18.0.10")]
    [InlineData("ipv4", "address", "127.0.0.2", "127.0.0.2")]
    [InlineData("ipv4", "mask", "255.255.254.0", "255.255.254.0")]
    [InlineData("ipv4", "mask", "/24", "255.255.255.0")]
    [InlineData("ipv4", "mask", "16", "255.255.0.0")]
    [InlineData("ipv4", "additional", "198.18.0.11 198.18.0.12", "[\"198.18.0.11\",\"198.18.0.12\"]")]
    [InlineData("ipv4", "additional", "", "[]")]
    [InlineData("dns", "servers", "198.18.0.53 198.18.0.54", "[\"198.18.0.53\",\"198.18.0.54\"]")]
    [InlineData("dns", "servers", "198.18.0.53,198.18.0.54", "[\"198.18.0.53\",\"198.18.0.54\"]")]
    [InlineData("dns", "servers", "198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5", "[\"198.18.0.1\",\"198.18.0.2\",\"198.18.0.3\",\"198.18.0.4\",\"198.18.0.5\"]")]
    [InlineData("ntp", "servers", "ntp1.example.test 198.18.0.123", "[\"ntp1.example.test\",\"198.18.0.123\"]")]
    [InlineData("time", "zone", "Europe/Oslo", "Europe/Oslo")]
    [InlineData("time", "zone", "America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires")]
    [InlineData("time", "zone", "UTC", "UTC")]
    [InlineData("snmp", "contact", "NOC desk", "NOC desk")]
    [InlineData("snmp", "location", "Rack 4", "Rack 4")]
    [InlineData("snmp", "community", "c0mmunity", "c0mmunity")]
    [InlineData("syslog", "servers", "logs.example.test", "[\"logs.example.test:514/udp\"]")]
    [InlineData("syslog", "servers", "198.18.0.5:1514/tcp logs.example.test/tls", "[\"198.18.0.5:1514/tcp\",\"logs.example.test:6514/tls\"]")]
    [InlineData("ssh", "enabled", "false", "false")]
    [InlineData("ssh", "enabled", "on", "true")]
    [InlineData("lcd", "enabled", "disabled", "false")]
    [InlineData("certificates", "trustedCa", "corp-ca.2026", "corp-ca.2026")]
    [InlineData("certificates", "serverCertificate", "peer1_cert", "peer1_cert")]
    public void Good_values_are_accepted(string section, string field, string values, string stored)
    {
        var result = ConfigOps.Set(section, null, field, Words(values));
        var node = result.Value[field];
        Assert.Equal(stored, node is System.Text.Json.Nodes.JsonArray ? node.ToJsonString() : node?.ToString());
    }

    [Theory]
    [InlineData("system", "hostname", "-bad", "system.hostname")]
    [InlineData("system", "hostname", "under_score", "system.hostname")]
    [InlineData("system", "hostname", "a..b", "system.hostname")]
    [InlineData("system", "hostname", "198.18.0.1", "system.hostname")]
    [InlineData("system", "hostname", "two words", "system.hostname")]
    [InlineData("system", "domain", "exa mple", "system.domain")]
    [InlineData("ethernet", "speed", "1000half", "ethernet.speed")]
    [InlineData("ethernet", "speed", "fast", "ethernet.speed")]
    [InlineData("ipv4", "address", "198.18.0", "ipv4.address")]
    [InlineData("ipv4", "address", "198.18.0.256", "ipv4.address")]
    [InlineData("ipv4", "address", "198.018.0.1", "ipv4.address")]
    [InlineData("ipv4", "address", "0.0.0.0", "ipv4.address")]
    [InlineData("ipv4", "address", "224.0.0.1", "ipv4.address")]
    [InlineData("ipv4", "address", "198.18.0.1 198.18.0.2", "ipv4.address")]
    [InlineData("ipv4", "mask", "255.0.255.0", "ipv4.mask")]
    [InlineData("ipv4", "mask", "0.0.0.0", "ipv4.mask")]
    [InlineData("ipv4", "mask", "33", "ipv4.mask")]
    [InlineData("ipv4", "additional", "198.18.0.11 198.18.0.11", "ipv4.additional")]
    [InlineData("ipv4", "additional", "198.18.0.11 banana", "ipv4.additional")]
    [InlineData("dns", "servers", "198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.4 198.18.0.5 198.18.0.6", "dns.servers")]
    [InlineData("dns", "servers", "dns.example.test", "dns.servers")]
    [InlineData("ntp", "servers", "a.test b.test c.test d.test e.test f.test", "ntp.servers")]
    [InlineData("ntp", "servers", "bad_host", "ntp.servers")]
    [InlineData("ntp", "servers", "300.1.1.1", "ntp.servers")]
    [InlineData("time", "zone", "Mars/Olympus", "time.zone")]
    [InlineData("time", "zone", "../../etc/passwd", "time.zone")]
    [InlineData("time", "zone", "Europe", "time.zone")]
    [InlineData("time", "zone", "zone.tab", "time.zone")]
    [InlineData("snmp", "enabled", "maybe", "snmp.enabled")]
    [InlineData("snmp", "enabled", "true", "snmp.community")]
    [InlineData("syslog", "servers", "logs.example.test:0", "syslog.servers")]
    [InlineData("syslog", "servers", "logs.example.test:70000/tcp", "syslog.servers")]
    [InlineData("syslog", "servers", "logs.example.test/sctp", "syslog.servers")]
    [InlineData("syslog", "servers", "bad_host:514", "syslog.servers")]
    [InlineData("syslog", "servers", "a.test b.test c.test d.test e.test", "syslog.servers")]
    [InlineData("syslog", "servers", "a.test a.test:514/udp", "syslog.servers")]
    [InlineData("ssh", "enabled", "sometimes", "ssh.enabled")]
    [InlineData("lcd", "enabled", "2", "lcd.enabled")]
    [InlineData("certificates", "trustedCa", "../ca", "certificates.trustedCa")]
    [InlineData("system", "colour", "blue", "system.colour")]
    public void Bad_values_are_refused_naming_the_field(string section, string field, string values, string expectedField)
    {
        Refused(() => ConfigOps.Set(section, null, field, Words(values)), expectedField);
    }

    [Fact]
    public void Snmp_can_be_enabled_once_a_community_is_set()
    {
        var withCommunity = ConfigOps.Set("snmp", null, "community", ["c0mmunity"]).Value;
        var enabled = ConfigOps.Set("snmp", withCommunity, "enabled", ["true"]).Value;
        Assert.True(enabled["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Location_addresses_items_take_ipv4_addresses()
    {
        var item = ConfigOps.CreateItem("location-addresses", "oslo", Fields("adhoc=198.18.1.10;rendezvous=198.18.1.11")).Value;
        Assert.Equal("198.18.1.10", Text(item, "adhoc"));
        Refused(() => ConfigOps.CreateItem("location-addresses", "oslo", Fields("adhoc=198.18.1")), "location-addresses.oslo.adhoc");
        Refused(() => ConfigOps.Set("location-addresses", item, "rendezvous", ["x.y.z.w"]), "location-addresses.oslo.rendezvous");
    }

    [Fact]
    public void Time_zone_is_checked_against_the_configured_zoneinfo_directory()
    {
        var dir = Directory.CreateTempSubdirectory("zoneinfo-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "Test"));
            File.WriteAllBytes(Path.Combine(dir, "Test", "Zone"), "TZif2...."u8.ToArray());
            File.WriteAllText(Path.Combine(dir, "Test", "NotTzif"), "hello");
            var ctx = new ConfigContext { ZoneInfoDir = dir };
            Assert.Equal("Test/Zone", Text(ConfigOps.Set("time", null, "zone", ["Test/Zone"], ctx).Value, "zone"));
            Refused(() => ConfigOps.Set("time", null, "zone", ["Test/NotTzif"], ctx), "time.zone");
            Refused(() => ConfigOps.Set("time", null, "zone", ["Europe/Oslo"], ctx), "time.zone");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
