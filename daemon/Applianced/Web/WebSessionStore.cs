using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Web;

/// <summary>
/// The logged-in sessions in the peer's local store (never replicated), so a restart (an upgrade,
/// a restore, Maintenance > Restart) does not log everyone out. Only a hash of each session id is
/// kept, with the user, the account stamp and when it was last used: reading the store (or a backup of it) gives no
/// cookie that would let anyone in. A handful of entries in one local value, rewritten on login,
/// logout and at most once a minute per session while it is used.
/// </summary>
internal sealed class WebSessionStore(Store.Store store)
{
    private const string Key = Store.Store.WebSessionsKey;
    private const int MaxStored = 64;
    private readonly Lock _gate = new();

    public static string Hash(string purpose, string id) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{purpose}:{id}")));

    /// <summary>The stored session of this id: its user, account stamp and when it was last used; null for none.</summary>
    public (string User, string? Account, DateTimeOffset LastUsed)? Find(string id)
    {
        lock (_gate)
        {
            if (Read()[Hash("session", id)] is not JsonObject entry || (string?)entry["user"] is not { } user) return null;
            return (user, (string?)entry["account"], DateTimeOffset.Parse((string)entry["lastUsed"]!, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Stores (or touches) a session, dropping those idle longer than <paramref name="idle"/> and the oldest past the bound.</summary>
    public void Save(string id, string user, string? account, DateTimeOffset lastUsed, TimeSpan idle) => Change(all =>
    {
        all[Hash("session", id)] = new JsonObject { ["user"] = user, ["account"] = account, ["lastUsed"] = lastUsed.ToString("o", CultureInfo.InvariantCulture) };
        var kept = all.Select(e => (e.Key, Used: DateTimeOffset.Parse((string)e.Value!["lastUsed"]!, CultureInfo.InvariantCulture)))
            .Where(e => lastUsed - e.Used <= idle).OrderByDescending(e => e.Used).Take(MaxStored).Select(e => e.Key).ToHashSet();
        foreach (var gone in all.Select(e => e.Key).Where(k => !kept.Contains(k)).ToList()) all.Remove(gone);
    });

    public void Remove(string id) => Change(all => all.Remove(Hash("session", id)));

    private void Change(Action<JsonObject> change)
    {
        lock (_gate)
        {
            var all = Read();
            change(all);
            store.SetLocal(Key, all.Count == 0 ? null : all.ToJsonString());
        }
    }

    private JsonObject Read()
    {
        try { return store.GetLocal(Key) is { } text ? JsonNode.Parse(text) as JsonObject ?? [] : []; }
        catch (System.Text.Json.JsonException) { return []; } // a damaged entry logs everyone out, nothing worse
    }
}
