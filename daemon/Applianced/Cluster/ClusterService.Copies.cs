using System.Collections.Concurrent;
using Appliance.Daemon.Cluster.Recovery;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Cluster;

/// <summary>A recovery pull copying records from one peer: a join ("joining") or any other ("recovering").</summary>
public sealed record RecordCopy(string Kind, WorkProgress Progress)
{
    public const string Joining = "joining";
    public const string Recovering = "recovering";
}

/// <summary>
/// What the recovery pulls copy, per peer, for `cluster show` while a join or a recovery moves
/// records (issue 20): the pull only moves a counter; this side keeps one per peer and says
/// whether the pull is the join's.
/// </summary>
public sealed partial class ClusterService
{
    private readonly ConcurrentDictionary<string, RecordCopy> _copies = new(StringComparer.Ordinal);

    /// <summary>Set by a join until a pull completes: that pull copies the cluster's records ("joining").</summary>
    private volatile bool _joinCopyPending;

    /// <summary>Test fault (`test.slow`, only with --test-faults): the pause after each batch a pull merges (RecoveryClient.Pace).</summary>
    internal TimeSpan RecoveryBatchPause { get; set; }

    /// <summary>The copy running from the peer at <paramref name="address"/>, once it has records to copy; else null.</summary>
    public RecordCopy? CopyFrom(string address) =>
        _copies.TryGetValue(address, out var copy) && copy.Progress.Current is not null ? copy : null;

    private async Task<RecoveryResult> TrackedPullAsync(PeerLink link, RecoveryClient client, CancellationToken ct)
    {
        var copy = new RecordCopy(_joinCopyPending ? RecordCopy.Joining : RecordCopy.Recovering, new WorkProgress(Time));
        _copies[link.Address] = copy;
        try
        {
            var result = await client.PullAsync(ct, copy.Progress);
            _joinCopyPending = false;
            CaughtUp();
            return result;
        }
        finally
        {
            _copies.TryRemove(new KeyValuePair<string, RecordCopy>(link.Address, copy));
        }
    }
}
