using LiteDB;

namespace Appliance.Daemon.Store;

public sealed partial class Store
{
    /// <summary>
    /// Joining a cluster (R9): keep a copy of the whole store file, then drop the shared records, the
    /// other peers' records and the operation log, and publish this peer's own records again as new
    /// writes. The sequence of this origin carries on, so peers that knew it stay consistent.
    /// Shared records <paramref name="keepShared"/> picks (live conference status) are published
    /// again too, keeping their time, so the cluster merges them last-writer-wins.
    /// </summary>
    public CommitInfo ResetForJoin(string copyPath, Func<StoredRecord, bool>? keepShared = null)
    {
        CommitInfo info;
        using (InFile())
        {
            CheckpointExclusive();
            Directory.CreateDirectory(Path.GetDirectoryName(copyPath)!);
            CopyLiveFile(FilePath, copyPath);
            var own = Scan(Scopes.Peer(PeerId) + "/").Where(r => !r.Deleted)
                .Select(r => r with { Version = new RecordVersion(Clock.Now(), PeerId) })
                .Concat(keepShared is null ? [] : Scan(Scopes.Cluster + "/").Where(r => !r.Deleted && keepShared(r))
                    .Select(r => r with { Version = new RecordVersion(r.Version.Hlc, PeerId) }))
                .ToList();
            var seq = _versionVector.GetValueOrDefault(PeerId);
            var ops = new List<Operation>();
            _db.BeginTrans();
            try
            {
                _records.DeleteAll();
                _digests = null;
                _meta.DeleteMany(Query.StartsWith("_id", VersionPrefix));
                ForgetPurgeState();
                foreach (var record in own)
                {
                    var op = new Operation(PeerId, ++seq, record, RecordVersion.None);
                    PutRecord(op, replaces: false);
                    ops.Add(op);
                }
                SaveVersion(PeerId, seq);
                _db.Commit();
            }
            catch
            {
                Rollback();
                throw;
            }
            _versionVector.Clear();
            _recent.Clear();
            _versionVector[PeerId] = seq;
            MakeDurable();
            StampEverything();
            info = new CommitInfo(ops, ops.Select(o => o.Record).ToList(), [], Remote: false, Reset: true);
        }
        RaiseCommitted(info);
        return info;
    }
}
