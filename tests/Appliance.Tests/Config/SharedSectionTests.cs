using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

public class SharedSectionTests
{
    [Theory]
    [InlineData("bridges", "b1", "address=198.18.2.10")]
    [InlineData("bridges", "mcu-1.eu", "address=mcu1.example.test;protocol=http;port=8080;user=conductor;password=br1dge-Secret")]
    [InlineData("bridges", "b_2", "address=198.18.2.11;port=65535")]
    [InlineData("locations", "oslo", "")]
    [InlineData("locations", "oslo-hq", "description=Head office, floor 3")]
    [InlineData("firewall", "ssh-mgmt", "priority=10;source=198.18.0.0/24;protocol=tcp;port=22;action=accept")]
    [InlineData("firewall", "sip", "priority=20;source=any;protocol=udp;port=5060-5061;action=accept")]
    [InlineData("firewall", "ping", "priority=30;source=198.18.0.5;protocol=icmp;action=drop")]
    [InlineData("firewall", "rest", "priority=65535;protocol=any;action=reject")]
    [InlineData("templates", "weekly", "")]
    [InlineData("templates", "town-hall", "type=lecture;maxParticipants=500;description=All hands")]
    [InlineData("conferences", "conf-1001", "bridge=b1;template=weekly;started=2026-11-25T12:00:00Z")]
    [InlineData("conferences", "conf-1002", "bridge=b1;participants=12;template=weekly;started=2026-11-25T13:00:00+01:00")]
    public void Good_items_are_accepted(string section, string name, string fields)
    {
        var item = ConfigOps.CreateItem(section, name, Fields(fields)).Value;
        Assert.Equal(name, Text(item, "name"));
    }

    [Theory]
    [InlineData("bridges", "b1", "", "bridges.b1.address")]
    [InlineData("bridges", "b1", "address=bad_host", "bridges.b1.address")]
    [InlineData("bridges", "b1", "address=198.18.2.10;protocol=ftp", "bridges.b1.protocol")]
    [InlineData("bridges", "b1", "address=198.18.2.10;port=0", "bridges.b1.port")]
    [InlineData("bridges", "b1", "address=198.18.2.10;port=65536", "bridges.b1.port")]
    [InlineData("bridges", "b1", "address=198.18.2.10;port=http", "bridges.b1.port")]
    [InlineData("bridges", "b1", "address=198.18.2.10;colour=red", "bridges.b1.colour")]
    [InlineData("bridges", "bad name", "address=198.18.2.10", "bridges.name")]
    [InlineData("bridges", "", "address=198.18.2.10", "bridges.name")]
    [InlineData("bridges", "..", "address=198.18.2.10", "bridges.name")]
    [InlineData("locations", "a/b", "", "locations.name")]
    [InlineData("locations", "x", "name=y", "locations.x.name")]
    [InlineData("firewall", "r", "source=any;protocol=tcp;port=22;action=accept", "firewall.r.priority")]
    [InlineData("firewall", "r", "priority=0;protocol=tcp;port=22;action=accept", "firewall.r.priority")]
    [InlineData("firewall", "r", "priority=10;source=198.18.0.5/24;protocol=tcp;port=22;action=accept", "firewall.r.source")]
    [InlineData("firewall", "r", "priority=10;source=198.18.0.0/33;protocol=tcp;port=22;action=accept", "firewall.r.source")]
    [InlineData("firewall", "r", "priority=10;source=everywhere;protocol=tcp;port=22;action=accept", "firewall.r.source")]
    [InlineData("firewall", "r", "priority=10;protocol=sctp;action=accept", "firewall.r.protocol")]
    [InlineData("firewall", "r", "priority=10;protocol=tcp;action=accept", "firewall.r.port")]
    [InlineData("firewall", "r", "priority=10;protocol=udp;action=drop", "firewall.r.port")]
    [InlineData("firewall", "r", "priority=10;protocol=icmp;port=22;action=drop", "firewall.r.port")]
    [InlineData("firewall", "r", "priority=10;protocol=tcp;port=70000;action=drop", "firewall.r.port")]
    [InlineData("firewall", "r", "priority=10;protocol=tcp;port=90-80;action=drop", "firewall.r.port")]
    [InlineData("firewall", "r", "priority=10;protocol=tcp;port=22", "firewall.r.action")]
    [InlineData("firewall", "r", "priority=10;protocol=tcp;port=22;action=allow", "firewall.r.action")]
    [InlineData("templates", "t", "type=webinar", "templates.t.type")]
    [InlineData("templates", "t", "maxParticipants=0", "templates.t.maxParticipants")]
    [InlineData("templates", "t", "maxParticipants=many", "templates.t.maxParticipants")]
    [InlineData("conferences", "c", "started=2026-11-25T12:00:00Z", "conferences.c.bridge")]
    [InlineData("conferences", "c", "bridge=b1;started=2026-11-25T12:00:00Z", "conferences.c.template")]
    [InlineData("conferences", "c", "bridge=b1;template=t", "conferences.c.started")]
    [InlineData("conferences", "c", "bridge=b1;template=t;started=yesterday", "conferences.c.started")]
    [InlineData("conferences", "c", "bridge=b1;template=t;started=2026-11-25", "conferences.c.started")]
    [InlineData("conferences", "c", "bridge=b1;template=t;participants=-1;started=2026-11-25T12:00:00Z", "conferences.c.participants")]
    public void Bad_items_are_refused_naming_the_field(string section, string name, string fields, string expectedField)
    {
        Refused(() => ConfigOps.CreateItem(section, name, Fields(fields)), expectedField);
    }

    [Theory]
    [InlineData("user", "operator", true)]
    [InlineData("user", "_svc-1", true)]
    [InlineData("user", "Admin", false)]
    [InlineData("user", "1admin", false)]
    [InlineData("user", "ad min", false)]
    [InlineData("password", "correct horse", true)]
    public void Admin_fields(string field, string value, bool accepted)
    {
        if (accepted)
            ConfigOps.Set("admin", null, field, [value]);
        else
            Refused(() => ConfigOps.Set("admin", null, field, [value]), $"admin.{field}");
    }

    [Fact]
    public void Admin_password_is_stored_as_a_hash_that_verifies()
    {
        var admin = ConfigOps.Set("admin", null, "password", ["correct horse"]).Value;
        var stored = Text(admin, "password")!;
        Assert.StartsWith("$y$", stored);
        Assert.DoesNotContain("correct horse", stored);
        Assert.True(PasswordHash.Verify(stored, "correct horse"));
        Assert.False(PasswordHash.Verify(stored, "wrong horse"));
    }

    [Fact]
    public void Conference_start_time_is_stored_in_utc()
    {
        var item = ConfigOps.CreateItem("conferences", "c", Fields("bridge=b1;template=weekly;started=2026-11-25T13:00:00+01:00")).Value;
        Assert.Equal("2026-11-25T12:00:00Z", Text(item, "started"));
        Assert.Equal(0, item["participants"]!.GetValue<int>());
    }

    [Fact]
    public void Setting_an_item_field_validates_the_whole_item()
    {
        var rule = ConfigOps.CreateItem("firewall", "ssh", Fields("priority=10;protocol=tcp;port=22;action=accept")).Value;
        Refused(() => ConfigOps.Set("firewall", rule, "protocol", ["icmp"]), "firewall.ssh.port");
        // Zero values for a scalar field means "back to its default" in SetFields.
        var icmp = ConfigOps.SetFields("firewall", rule,
            new Dictionary<string, IReadOnlyList<string>> { ["protocol"] = ["icmp"], ["port"] = [] });
        Assert.Null(icmp.Value["port"]);
    }
}
