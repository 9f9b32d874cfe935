using System.Collections.Concurrent;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>An acknowledged write is durable: SIGKILL in the middle of a stream of writes loses none of them.</summary>
public class CrashSafetyTests
{
    [Fact(Timeout = 120_000)]
    public async Task SigKill_DuringAStreamOfWrites_KeepsEveryAcknowledgedWrite()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        var acknowledged = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        // Two writers, so a write is in flight at the moment of the kill.
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var name = $"c{w}x{i}";
                try { await d.Daemon.AddConference(name); }
                catch (IOException) { return; } // the daemon is gone
                acknowledged.Enqueue(name);
            }
        })).ToList();
        await Eventually.WaitUntil(() => Task.FromResult(acknowledged.Count >= 60), TimeSpan.FromSeconds(60), "60 acknowledged writes");

        d.Daemon.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
        await d.Daemon.StartAsync();

        var stored = await d.Daemon.Items("conferences");
        var lost = acknowledged.Where(n => !stored.ContainsKey(n)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged writes lost: {string.Join(", ", lost)}");
    }
}
