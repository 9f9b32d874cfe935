using Appliance.Daemon.Progress;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster.Recovery;

/// <summary>How far a pull is, for `cluster show` while a join or a recovery copies records.</summary>
internal sealed partial class RecoveryClient
{
    public const string CopyingPhase = "copying";

    private WorkProgress? _progress;

    /// <summary>For testing (`test.slow`): a pause after each batch of records merged, so a test can watch a join's progress.</summary>
    public TimeSpan Pace { get; init; }

    /// <summary>
    /// Starts counting when there is something to copy. Expected: all of a collection held none of
    /// here (a join), the difference in count of one held in part (a guess, as updated records count
    /// too; the counter's total grows when passed).
    /// </summary>
    private void Expect(WorkProgress? progress, CollectionsReply remote, IReadOnlyDictionary<string, DigestIndex.Digest> local, List<string> differing)
    {
        if (progress is null || differing.Count == 0) return;
        _progress = progress;
        var expected = differing.Sum(name =>
        {
            var theirs = remote.Collections.First(c => c.Name == name).Count;
            return local.TryGetValue(name, out var mine) ? Math.Max(0, theirs - mine.Count) : theirs;
        });
        progress.Begin(CopyingPhase, expected, WorkProgress.Records);
    }

    private Task MergedAsync(int records, CancellationToken ct)
    {
        _progress?.Add(records);
        return Pace > TimeSpan.Zero ? Task.Delay(Pace, ct) : Task.CompletedTask;
    }
}
