using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>R1/R3/section 5 on one real daemon: cluster settings are validated, weak keys warned about.</summary>
public class ClusterSettingsApiTests : IAsyncLifetime
{
    private readonly StandaloneDaemon _d = new(bind: true);

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task WeakKey_IsAcceptedWithAWarning_AndRaisesTheWeakKeyAlarm_UntilAStrongKeyReplacesIt()
    {
        var result = await _d.Daemon.SetKey("short");
        Assert.NotEmpty(result["warnings"]!.AsArray());
        await Eventually.WaitUntil(async () => (await _d.Daemon.ActiveAlarmIds()).Contains("cluster-weak-key"), TimeSpan.FromSeconds(10), "weak-key alarm");

        await _d.Daemon.SetKey(TestCluster.Key);
        await Eventually.WaitUntil(async () => !(await _d.Daemon.ActiveAlarmIds()).Contains("cluster-weak-key"), TimeSpan.FromSeconds(10), "weak-key alarm lowered");
    }

    [Fact(Timeout = 60_000)]
    public async Task PeerList_WithoutThisPeer_OrWithMoreThanThree_IsRefused_AndNothingIsStored()
    {
        var other = LoopbackAddresses.Next();
        var without = await Assert.ThrowsAsync<DaemonApiException>(() => _d.Daemon.SetPeers(other));
        Assert.Equal("validation", without.Kind);
        Assert.Contains(_d.Daemon.Bind!, without.ErrorMessage, StringComparison.Ordinal);

        var four = await Assert.ThrowsAsync<DaemonApiException>(() => _d.Daemon.SetPeers(_d.Daemon.Bind!, "127.0.0.2", "127.0.0.3", "127.0.0.4"));
        Assert.Equal("validation", four.Kind);

        var bad = await Assert.ThrowsAsync<DaemonApiException>(() => _d.Daemon.SetPeers(_d.Daemon.Bind!, "not-an-address"));
        Assert.Contains("not-an-address", bad.ErrorMessage, StringComparison.Ordinal);

        var shown = await _d.Daemon.Api("cluster.show");
        Assert.Empty(shown["peers"]!.AsArray());
        Assert.Equal("", (string?)shown["clusterId"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task ClusterKey_CannotBeSetThroughConfigSet_AndIsNeverReturned()
    {
        var viaSet = await Assert.ThrowsAsync<DaemonApiException>(() => _d.Daemon.Set("cluster.key", "sneaky-key-value-123"));
        Assert.Equal("usage", viaSet.Kind);
        await _d.Daemon.SetKey("the-real-key-0000");
        var got = await _d.Daemon.Api("config.get", new JsonObject { ["path"] = "cluster.key" });
        Assert.Equal("set", (string?)got["value"]);
        Assert.DoesNotContain("the-real-key-0000", (await _d.Daemon.Api("config.show")).ToJsonString(), StringComparison.Ordinal);
    }
}
