using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Web;

/// <summary>
/// The account's lock and the held addresses, kept in the local store (never replicated: each peer
/// counts its own failures), so restarting the daemon (an upgrade, a crash an attacker might provoke)
/// does not give a locked account or a held address its tries back. Written only when a lock or a
/// hold starts or a good login ends one: a handful of entries, never on each failure.
/// </summary>
internal sealed partial class LoginGuard
{
    public const string KeptKey = "web-lockouts";

    private void LoadKept()
    {
        JsonObject? kept;
        try { kept = config.Store.GetLocal(KeptKey) is { } text ? JsonNode.Parse(text) as JsonObject : null; }
        catch (System.Text.Json.JsonException) { kept = null; } // a damaged entry forgets the locks, nothing worse
        if (kept is null) return;
        var now = time.GetUtcNow();
        if (Until(kept["account"]) is { } account && now < account) _lockedUntil = account;
        if (kept["sources"] is JsonObject sources)
            foreach (var (from, value) in sources)
                if (Until(value) is { } until && now < until) _sources.Hold(from, until);
    }

    /// <summary>Caller holds the gate.</summary>
    private void SaveKept(DateTimeOffset now)
    {
        var sources = new JsonObject();
        foreach (var (from, until) in _sources.Holds(now)) sources[from] = Text(until);
        var locked = _lockedUntil is { } account && now < account;
        config.Store.SetLocal(KeptKey, !locked && sources.Count == 0 ? null
            : new JsonObject { ["account"] = locked ? Text(_lockedUntil!.Value) : null, ["sources"] = sources }.ToJsonString());
    }

    private static string Text(DateTimeOffset t) => t.ToString("o", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Until(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : null;
}
