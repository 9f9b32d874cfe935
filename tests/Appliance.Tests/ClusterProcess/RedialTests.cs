using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// Links come back as soon as both sides agree, not when a dialer's retry delay runs out: every
/// peer here waits ten minutes after a failed or refused attempt, so nothing below passes by waiting.
/// </summary>
public class RedialTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task Forming_three_peers_and_restarting_one_need_no_retry_delay()
    {
        await using var c = await TestCluster.StartAsync(3, extraArgs: _ => ["--dial-retry-ms", "600000"]);

        // Each join sets the new list on every member a moment apart: a first Hello under the new
        // list meets the old one and is refused; a peer that is not clustered yet refuses the dial.
        await c.FormAsync();
        await c[0].Add("bridges", "formed", ("address", "10.0.0.1"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).ContainsKey("formed") && (await c[2].Items("bridges")).ContainsKey("formed"),
            Settle, "p1's write on p2 and p3", c.DescribeAsync);

        // A restarted peer: the others' dials fail while it is down, and it dials them when it is back.
        await c[1].StopAsync();
        await c[1].StartAsync();
        await c.WaitAllActiveAsync(timeout: Settle);
        await c[0].Add("bridges", "after-restart", ("address", "10.0.0.2"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).ContainsKey("after-restart"), Settle, "p1's write on the restarted p2", c.DescribeAsync);
    }
}
