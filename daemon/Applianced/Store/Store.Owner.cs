namespace Appliance.Daemon.Store;

/// <summary>
/// Only a peer writes its own settings; another member deletes them only when the cluster has
/// forgotten that peer (Cluster/REPLICATION.md, "Forgetting a peer"). A peer that receives such a
/// delete is evidently not gone (a cut-off peer listed again, or a rejoin whose clock is behind the
/// delete): it keeps its record and writes it again, newer than the delete (the clock has observed
/// it), so every member takes it back instead of the two sides disagreeing for good.
/// </summary>
public sealed partial class Store
{
    private readonly List<StoredRecord> _kept = [];

    /// <summary>True when the incoming operation deletes a live record of this peer's own scope (caller holds the write lock).</summary>
    private bool KeepsOwnRecord(StoredRecord incoming)
    {
        if (incoming.Value is not null || incoming.Version.Origin == PeerId || incoming.Scope != Scopes.Peer(PeerId)
            || Get(incoming.Scope, incoming.Section, incoming.Key) is not { Deleted: false } mine)
            return false;
        _kept.Add(mine);
        return true;
    }

    /// <summary>Writes the kept records again as this peer's own writes (outside the write lock: the committer takes it).</summary>
    private void WriteKeptAgain()
    {
        List<Mutation> again;
        lock (_write)
        {
            if (_kept.Count == 0) return;
            again = _kept.Select(r => new Mutation(r.Scope, r.Section, r.Key, r.Value) { Again = true }).ToList();
            _kept.Clear();
        }
        // Nobody waits for this write; a failure (the store closing) shows on the next Hello as a difference.
        _ = WriteAsync(again).ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }
}
