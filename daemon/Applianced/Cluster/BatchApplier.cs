using System.Threading.Channels;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Applies the op batches one inbound link receives, apart from reading them: batches that arrive
/// while one is being applied are applied together in the next transaction (one durable commit
/// instead of several), and heartbeats are answered meanwhile. A few batches wait at most, so a
/// fast sender is still held back by TCP. The session acknowledges what the applies commit (see
/// InboundSession.AckChangesLoop).
/// </summary>
internal sealed class BatchApplier(ClusterService cluster, PeerLink link)
{
    private const int MaxWaiting = 8;
    private const int MaxOpsPerApply = 10_000;
    private readonly Channel<OpBatch> _waiting = Channel.CreateBounded<OpBatch>(new BoundedChannelOptions(MaxWaiting) { SingleReader = true });

    /// <summary>Queues a batch; throws once applying has failed, which ends the session.</summary>
    public ValueTask PostAsync(OpBatch batch, CancellationToken ct) => _waiting.Writer.WriteAsync(batch, ct);

    /// <summary>Stops taking batches; RunAsync applies what is queued and ends.</summary>
    public void Complete() => _waiting.Writer.TryComplete();

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (await _waiting.Reader.WaitToReadAsync(ct))
            {
                var ops = new List<Operation>();
                var ranges = new List<OpRange>();
                while (ops.Count < MaxOpsPerApply && _waiting.Reader.TryRead(out var batch))
                {
                    ops.AddRange(batch.Ops);
                    ranges.AddRange(batch.Ranges);
                }
                var result = cluster.Store.ApplyRemote(ops, ranges);
                if (result.Gaps.Count > 0)
                    cluster.Logs.Event($"peer {link.Address} sent operations out of sequence for {string.Join(", ", result.Gaps)}; they wait for recovery", "warning");
            }
        }
        catch (Exception e)
        {
            _waiting.Writer.TryComplete(e);
            if (e is not (OperationCanceledException or IOException or ObjectDisposedException)) throw;
        }
    }
}
