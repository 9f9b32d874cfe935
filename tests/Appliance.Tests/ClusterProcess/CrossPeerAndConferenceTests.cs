using System.Diagnostics;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>R7 cross-peer address rules over real replication; R8 conference status shared quickly.</summary>
public class CrossPeerAndConferenceTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task AdditionalAddress_ThatIsAnotherPeersAddress_IsRefused_NamingIt()
    {
        await using var c = await TestCluster.StartAsync(2);
        await c[0].Set("ipv4.address", "10.30.0.1");
        await c[0].Set("ipv4.additional", "10.30.0.101");
        await c[1].Set("ipv4.address", "10.30.0.2");
        await c.FormAsync();
        await Eventually.WaitUntil(async () => (string?)(await c[1].Values("ipv4", peer: "p1"))["address"] == "10.30.0.1",
            Settle, "p1's ipv4 visible on p2");

        var primary = await Assert.ThrowsAsync<DaemonApiException>(() => c[1].Set("ipv4.additional", "10.30.0.1"));
        Assert.Equal("validation", primary.Kind);
        Assert.Equal("ipv4.additional", (string?)primary.Error["field"]);
        Assert.Equal("10.30.0.1", (string?)primary.Error["value"]);
        Assert.Contains("peer 1", primary.ErrorMessage, StringComparison.Ordinal);

        var additional = await Assert.ThrowsAsync<DaemonApiException>(() => c[1].Set("ipv4.additional", "10.30.0.101"));
        Assert.Equal("validation", additional.Kind);
        Assert.Contains("additional", additional.ErrorMessage, StringComparison.Ordinal);

        // The primary LAN address of a clustered peer is frozen; nothing was stored by the refusals.
        var frozen = await Assert.ThrowsAsync<DaemonApiException>(() => c[1].Set("ipv4.address", "10.30.0.3"));
        Assert.Equal("ipv4.address", (string?)frozen.Error["field"]);
        var ipv4 = await c[1].Values("ipv4");
        Assert.Equal("10.30.0.2", (string?)ipv4["address"]);
        Assert.True(ipv4["additional"] is null || ipv4["additional"]!.AsArray().Count == 0, ipv4.ToJsonString());
        await c[1].Set("ipv4.additional", "10.30.0.102"); // a free address is fine
    }

    [Fact(Timeout = 150_000)]
    public async Task ConferenceStatus_WrittenOnOnePeer_IsReadableOnTheOther_WithinAboutAHundredMs()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].AddConference("warmup");
        await Eventually.WaitUntil(async () => (await c[1].Items("conferences")).ContainsKey("warmup"), Settle, "warm-up conference");

        var delays = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (c[0], c[1]) : (c[1], c[0]);
            var name = $"conf{i}";
            await writer.AddConference(name, i + 1);
            var watch = Stopwatch.StartNew();
            await Eventually.WaitUntil(async () => (await reader.Items("conferences")).TryGetValue(name, out var conf)
                && (int)conf["participants"]! == i + 1, TimeSpan.FromSeconds(5), $"{name} on the other peer", pollMs: 2);
            delays.Add(watch.Elapsed.TotalMilliseconds);
        }
        delays.Sort();
        var median = delays[delays.Count / 2];
        Assert.True(median <= 100, $"median write-to-visible {median:0} ms (all: {string.Join(", ", delays.Select(d => d.ToString("0")))})");

        await c[1].Set("conferences.conf0.participants", "42");
        await Eventually.WaitUntil(async () => (int)(await c[0].Items("conferences"))["conf0"]["participants"]! == 42, Settle, "update reaches p1");
    }
}
