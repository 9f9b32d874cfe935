using System.Net;
using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Config;
using Appliance.Hal;
using Appliance.Hal.HostServices;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

/// <summary>
/// Whatever the model accepts, the host can apply (DESIGN.md section 9): each candidate goes through
/// the model and, when accepted, through the HAL check or renderer that puts it on the host. The
/// model may refuse more than the host; it may never accept what the host refuses.
/// </summary>
public sealed class ApplicableValueTests
{
    private static readonly string Longest = $"{new string('a', 31)}.{new string('b', 32)}";

    [Fact]
    public async Task A_host_name_longer_than_Linux_takes_is_refused_naming_the_field_and_the_limit()
    {
        Assert.Equal(64, Longest.Length);
        var stored = ConfigOps.Set("system", null, "hostname", [Longest]).Value["hostname"]!.GetValue<string>();
        var host = new SimulatedHostServices(); // checks the name as the D-Bus one does before hostnamed sees it
        await host.SetStaticHostnameAsync(stored);
        Assert.Equal(Longest, host.StaticHostname);

        var error = Refused(() => ConfigOps.Set("system", null, "hostname", [Longest + "c"]), "system.hostname");
        Assert.Equal("is 65 characters long; a Linux host name holds at most 64", error.Rule);
        // A whole value that arrives from a peer or a restore meets the same rule.
        Refused(() => ConfigOps.Validate("system", new JsonObject { ["hostname"] = Longest + "c" }), "system.hostname");
        // The domain only reaches resolv.conf, which takes a full DNS name.
        var domain = $"{new string('d', 63)}.{new string('e', 63)}.{new string('f', 63)}.{new string('g', 61)}";
        Assert.Equal(253, domain.Length);
        var rendered = HostFileRenderer.ResolvConf(new DnsSettings(ConfigOps.Set("system", null, "domain", [domain]).Value["domain"]!.GetValue<string>(), []));
        Assert.Contains("search " + domain, rendered);
    }

    public static TheoryData<string, string, string> Candidates() => new()
    {
        { "system", "hostname", Longest },
        { "system", "hostname", Longest + "c" },
        { "system", "hostname", new string('h', 63) },
        { "system", "hostname", new string('h', 64) },
        { "system", "hostname", $"{new string('a', 63)}.{new string('b', 63)}.{new string('c', 63)}.{new string('d', 61)}" },
        { "system", "hostname", "Peer1.Lab" },
        { "system", "domain", $"{new string('d', 63)}.{new string('e', 63)}.{new string('f', 63)}.{new string('g', 61)}" },
        { "system", "domain", $"{new string('d', 63)}.{new string('e', 63)}.{new string('f', 63)}.{new string('g', 62)}" },
        { "system", "domain", "example.test" },
        { "ntp", "servers", "ntp1.example.test 198.18.0.123" },
        { "ntp", "servers", $"{new string('n', 63)}.{new string('t', 63)}.{new string('p', 63)}.{new string('q', 61)}" },
        { "ntp", "servers", "127.0.0.1" },
        { "dns", "servers", "198.18.0.53 127.0.0.53" },
        { "time", "zone", "America/Argentina/Buenos_Aires" },
        { "time", "zone", "Etc/GMT+5" },
        { "ethernet", "speed", "AUTO" },
        { "ethernet", "speed", "1000full" },
        { "syslog", "servers", "logs.example.test" },
        { "syslog", "servers", "198.18.0.5:1514/TCP" },
        { "syslog", "servers", "logs.example.test/tls" },
        { "syslog", "servers", "198.18.0.5:514/1" },
        { "syslog", "servers", "[::1]:514" },
        { "ipv4", "mask", "/31" },
        { "ipv4", "mask", "255.255.255.255" },
        { "firewall", "port", "22" },
        { "firewall", "port", "5060-5061" },
        { "firewall", "port", "10000-20000" },
        { "firewall", "port", "1-65535" },
        { "firewall", "port", "0022" },
        { "firewall", "port", "90-80" },
        { "firewall", "port", "22-22" },
        { "firewall", "source", "0.0.0.0/0" },
        { "firewall", "source", "198.18.0.7" },
        { "firewall", "source", "198.18.0.0/24" },
    };

    [Theory]
    [MemberData(nameof(Candidates))]
    public async Task What_the_model_accepts_the_host_can_apply(string section, string field, string value)
    {
        JsonNode? stored;
        try
        {
            stored = section == "firewall"
                ? ConfigOps.CreateItem("firewall", "r", new Dictionary<string, string>
                {
                    ["priority"] = "10", ["protocol"] = "udp", ["port"] = field == "port" ? value : "5060", ["action"] = "accept",
                    ["source"] = field == "source" ? value : "any",
                }).Value
                : ConfigOps.Set(section, null, field, Words(value)).Value[field];
        }
        catch (ConfigValidationException)
        {
            return; // refusing more than the host would is allowed
        }
        await Apply(section, field, stored!);
    }

    private static async Task Apply(string section, string field, JsonNode stored)
    {
        var list = stored is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToList() : [];
        switch ((section, field))
        {
            case ("system", "hostname"):
                await new SimulatedHostServices().SetStaticHostnameAsync(stored.GetValue<string>());
                break;
            case ("system", "domain"):
                HostFileRenderer.ResolvConf(new DnsSettings(stored.GetValue<string>(), []));
                break;
            case ("ntp", "servers"):
                HostFileRenderer.TimesyncdDropIn(list);
                break;
            case ("dns", "servers"):
                HostFileRenderer.ResolvConf(new DnsSettings(null, list.Select(IPAddress.Parse).ToList()));
                break;
            case ("time", "zone"):
                await new SimulatedHostServices().SetTimezoneAsync(stored.GetValue<string>());
                break;
            case ("ethernet", "speed"):
                LinkSpeedText.Parse(stored.GetValue<string>());
                break;
            case ("syslog", "servers"):
                foreach (var s in list)
                    Assert.Equal(SyslogTarget.Parse(s, "syslog.servers").ToString(), SyslogServer.Parse(s).ToString());
                break;
            case ("ipv4", "mask"):
                InterfaceAddress.FromMask(IPAddress.Parse("198.18.0.10"), IPAddress.Parse(stored.GetValue<string>()));
                break;
            case ("firewall", _):
                NftRenderer.Render(new FirewallRuleset(FirewallRules.ToRules(stored.AsObject()).ToList(), []));
                break;
            default:
                Assert.Fail($"no applier check for {section}.{field}");
                break;
        }
    }
}
