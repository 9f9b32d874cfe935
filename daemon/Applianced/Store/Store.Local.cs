using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>Local scope: values that never leave this peer (cluster key, private keys, peer id).</summary>
public sealed partial class Store
{
    /// <summary>The HTTPS pages' logged-in sessions (hashed, Web.WebSessionStore); a restore drops them, so no session comes back from a backup.</summary>
    public const string WebSessionsKey = "web-sessions";

    public string? GetLocal(string key) => Read(() => _local.FindById(key)?["v"].AsString);

    public void SetLocal(string key, string? value)
    {
        using (InFile())
        {
            if (value is null) _local.Delete(key);
            else _local.Upsert(new BsonDocument { ["_id"] = key, ["v"] = value });
            MakeDurable();
        }
    }
}
