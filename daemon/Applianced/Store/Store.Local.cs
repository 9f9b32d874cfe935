using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>Local scope: values that never leave this peer (cluster key, private keys, peer id).</summary>
public sealed partial class Store
{
    public string? GetLocal(string key) => Read(() => _local.FindById(key)?["v"].AsString);

    public void SetLocal(string key, string? value)
    {
        lock (_write)
        {
            if (value is null) _local.Delete(key);
            else _local.Upsert(new BsonDocument { ["_id"] = key, ["v"] = value });
            MakeDurable();
        }
    }
}
