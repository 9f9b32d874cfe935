using Appliance.Tests.Harness;
using Appliance.Tests.NetworkTests;
using Xunit.Abstractions;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// SIGKILL of a peer while both peers take a stream of API writes: after its restart it recovers,
/// every acknowledged write (on either side, before, during and after the crash) is on both
/// peers and their checksums agree.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class KillFaultTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 150_000)]
    public async Task A_peer_killed_during_a_write_stream_recovers_and_loses_nothing_acknowledged()
    {
        var mk = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{mk}-Cluster!", NetworkTestLog.FormTimeout);
        var (p1, p2) = (cluster[0], cluster[1]);
        var ledger = new AckLedger();

        using var stop = new CancellationTokenSource();
        // Writers keep going through the crash: calls to the dead peer fail fast (no socket) and are
        // retried after a pause, so writes resume on their own once it is back.
        var writers = new[] { p1, p2 }.Select(peer => Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                if (!await ledger.AddAsync(peer, $"{peer.Host.Name}-{mk}-{n}", n % 50)) await Task.Delay(100);
                n++;
            }
        })).ToArray();

        await WaitAcknowledgedAsync(ledger, 20);
        var beforeKill = ledger.Acknowledged;
        await p2.KillAsync();
        _log.Write($"p2 killed after {beforeKill} acknowledged writes");
        await WaitAcknowledgedAsync(ledger, beforeKill + 15); // p1 alone keeps acknowledging
        await p2.StartAsync();
        var restarted = ledger.Acknowledged;
        await WaitAcknowledgedAsync(ledger, restarted + 20);
        await stop.CancelAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
        _log.Write($"writes: {ledger.Acknowledged} acknowledged, {ledger.Failed} failed (p2 down)");

        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(30));
        var held = await FaultChecks.WaitConvergedAsync(cluster.Peers, TimeSpan.FromSeconds(30), _log.Write);
        ledger.AssertSurvived(held);
        Assert.Equal(await FaultChecks.OwnChecksumsAsync(p1), await FaultChecks.OwnChecksumsAsync(p2));
    }

    private static Task WaitAcknowledgedAsync(AckLedger ledger, int count) =>
        FaultChecks.UntilAsync($"{count} acknowledged writes", () => Task.FromResult(ledger.Acknowledged >= count), TimeSpan.FromSeconds(40));
}
