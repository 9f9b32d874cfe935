using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// R5: 4371 may be blocked (a firewall between the peers) while 4372 works. The peers then cannot
/// recover; they must say so, not retry in a tight loop that floods the event log.
/// </summary>
public class RecoveryUnreachableTests
{
    [Fact(Timeout = 150_000)]
    public async Task RecoveryPortUnreachable_AfterAJoin_DoesNotFloodTheEventLog()
    {
        // p2 listens for recovery on another port than p1 dials, and the other way round: 4371 "blocked".
        await using var c = await TestCluster.StartAsync(2, extraArgs: i => i == 1 ? ["--recovery-port", "14371"] : []);
        await c[1].Add("bridges", "joiner-bridge", ("address", "10.0.0.2")); // the joiner has history: p1 will lack its early operations
        await c.FormAsync();

        var start = (await c[0].LogEntries("events")).Count + (await c[1].LogEntries("events")).Count;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var entries = (await c[0].LogEntries("events")).Concat(await c[1].LogEntries("events")).ToList();
        var added = entries.Count - start;

        var sample = string.Join("\n", entries.TakeLast(5).Select(e => (string?)e["message"]));
        Assert.True(added < 100, $"{added} event log entries in 5 s with 4371 unreachable; last ones:\n{sample}");
    }
}
