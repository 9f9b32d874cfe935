using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// Bounded operation log. Oldest operations go first; since each origin's operations are logged in
/// sequence, what remains per origin is always a contiguous tail. Records are never dropped here:
/// a peer that still needed a dropped operation is told so by the sender and recovers on 4371.
/// </summary>
public sealed partial class Store
{
    public int CompactOpLog(int maxOperations, TimeSpan maxAge)
    {
        lock (_write)
        {
            var cutoff = DateTime.UtcNow - maxAge;
            var excess = _oplog.Count() - maxOperations;
            if (excess > 0)
            {
                var boundary = _oplog.Find(Query.All("t", Query.Ascending), skip: excess, limit: 1).FirstOrDefault();
                if (boundary is not null && boundary["t"].AsDateTime > cutoff) cutoff = boundary["t"].AsDateTime;
            }
            var removed = _oplog.DeleteMany(Query.LT("t", cutoff));
            if (removed > 0) MakeDurable();
            return removed;
        }
    }
}
