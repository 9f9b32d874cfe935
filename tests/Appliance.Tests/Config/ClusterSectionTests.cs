using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

public class ClusterSectionTests
{
    private static readonly ConfigContext Own = new() { OwnAddress = "198.18.0.10" };

    [Theory]
    [InlineData("", 0)]
    [InlineData("198.18.0.10", 0)]
    [InlineData("198.18.0.10 198.18.0.20", 0)]
    [InlineData("198.18.0.20,198.18.0.10", 0)]
    [InlineData("198.18.0.10 198.18.0.20 198.18.0.30", 1)]
    public void Good_peer_lists_are_accepted(string peers, int warnings)
    {
        var result = ConfigOps.Set("cluster", null, "peers", Words(peers), Own);
        Assert.Equal(warnings, result.Warnings.Count);
        if (warnings > 0)
            Assert.Contains(ConfigSchema.ThreePeerWarning, result.Warnings);
    }

    [Theory]
    [InlineData("198.18.0.10 198.18.0.20 198.18.0.30 198.18.0.40", "at most 3")]
    [InlineData("198.18.0.10 198.18.0.10", "twice")]
    [InlineData("198.18.0.20 198.18.0.30", "does not include this peer's address 198.18.0.10")]
    [InlineData("198.18.0.10 peer2.example.test", "IPv4")]
    public void Bad_peer_lists_are_refused(string peers, string ruleContains)
    {
        var error = Refused(() => ConfigOps.Set("cluster", null, "peers", Words(peers), Own), "cluster.peers");
        Assert.Contains(ruleContains, error.Rule);
    }

    [Fact]
    public void Weak_key_is_accepted_with_a_warning_and_a_strong_one_without()
    {
        var weak = ConfigOps.Set("cluster", null, "key", ["short"], Own);
        Assert.Equal("short", Text(weak.Value, "key"));
        Assert.Single(weak.Warnings);
        Assert.Contains("shorter than 12", weak.Warnings[0]);
        Assert.DoesNotContain("short\"", weak.Warnings[0]);
        Assert.Empty(ConfigOps.Set("cluster", null, "key", ["a-long-enough-key"], Own).Warnings);
    }

    [Fact]
    public void Bad_key_error_does_not_echo_the_key()
    {
        var error = Refused(() => ConfigOps.Set("cluster", null, "key", ["sec\u0001ret-key-value"], Own), "cluster.key");
        Assert.Null(error.Value);
        Assert.DoesNotContain("ret-key-value", error.Message);
    }

    [Fact]
    public void Clearing_key_and_peers_leaves_the_cluster_settings_empty()
    {
        var current = ConfigOps.SetFields("cluster", null, new Dictionary<string, IReadOnlyList<string>>
        {
            ["key"] = ["a-long-enough-key"],
            ["peers"] = ["198.18.0.10", "198.18.0.20"],
        }, Own).Value;
        var cleared = ConfigOps.Unset("cluster", ConfigOps.Unset("cluster", current, "key", Own).Value, "peers", Own).Value;
        Assert.Null(cleared["key"]);
        Assert.Equal("[]", cleared["peers"]!.ToJsonString());
        Assert.Equal("not set", ConfigDisplay.Display("cluster", cleared)["key"]!.ToString());
    }
}
