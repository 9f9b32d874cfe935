using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Web;

/// <summary>
/// The account's lock and the held addresses, kept in the local store (never replicated: each peer
/// counts its own failures), so restarting the daemon (an upgrade, a crash an attacker might provoke)
/// does not give a locked account or a held address its tries back. Written off the login path when
/// a lock or a hold starts or a good login ends one: one write at a time, at most one a second (an
/// attacker rotating addresses makes holds, not store writes), the latest holds only
/// (<see cref="MaxKeptHolds"/>). A kept time further ahead than a lock lasts (a damaged value, a clock
/// stepped back) is not believed.
/// </summary>
internal sealed partial class LoginGuard
{
    public const string KeptKey = "web-lockouts";
    private const int MaxKeptHolds = 256;
    private static readonly TimeSpan KeptInterval = TimeSpan.FromSeconds(1);
    private int _keptWanted;
    private int _keptWriting;

    private void LoadKept()
    {
        JsonObject? kept;
        try { kept = config.Store.GetLocal(KeptKey) is { } text ? JsonNode.Parse(text) as JsonObject : null; }
        catch (System.Text.Json.JsonException) { kept = null; } // a damaged entry forgets the locks, nothing worse
        if (kept is null) return;
        var now = time.GetUtcNow();
        bool Believed(DateTimeOffset until) => now < until && until <= now + LockFor;
        if (Until(kept["account"]) is { } account && Believed(account)) _lockedUntil = account;
        if (kept["sources"] is JsonObject sources)
            foreach (var (from, value) in sources)
                if (Until(value) is { } until && Believed(until)) _sources.Hold(from, until);
    }

    /// <summary>Asks for the locks to be written (caller holds the gate); one writer at a time does it.</summary>
    private void SaveKept()
    {
        Volatile.Write(ref _keptWanted, 1);
        if (Interlocked.Exchange(ref _keptWriting, 1) == 0) _ = Task.Run(WriteKeptAsync);
    }

    private async Task WriteKeptAsync()
    {
        try
        {
            while (Interlocked.Exchange(ref _keptWanted, 0) == 1)
            {
                string? text;
                lock (_gate) text = KeptText(time.GetUtcNow());
                config.Store.SetLocal(KeptKey, text);
                await Task.Delay(KeptInterval, time);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logs.Event($"web login locks could not be kept in the store: {e.Message}", "error");
        }
        finally
        {
            Volatile.Write(ref _keptWriting, 0);
            // Asked for after the loop's last look: write that too.
            if (Volatile.Read(ref _keptWanted) == 1 && Interlocked.Exchange(ref _keptWriting, 1) == 0) _ = Task.Run(WriteKeptAsync);
        }
    }

    private string? KeptText(DateTimeOffset now)
    {
        var sources = new JsonObject();
        foreach (var (from, until) in _sources.Holds(now).OrderByDescending(h => h.Until).Take(MaxKeptHolds)) sources[from] = Api.ApiTime.Text(until);
        var locked = _lockedUntil is { } account && now < account;
        return !locked && sources.Count == 0 ? null
            : new JsonObject { ["account"] = locked ? Api.ApiTime.Text(_lockedUntil!.Value) : null, ["sources"] = sources }.ToJsonString();
    }

    private static DateTimeOffset? Until(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : null;
}
