using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Appliers;

public sealed partial class NetworkWindow
{
    private void Schedule(DateTimeOffset deadline)
    {
        CancelTimer();
        _timer = time.CreateTimer(_ => Expired(deadline), null, Max(deadline - time.GetUtcNow()), Timeout.InfiniteTimeSpan);
    }

    private void Expired(DateTimeOffset deadline)
    {
        try
        {
            lock (_gate)
            {
                // Only the window that set this timer: a confirm or a later change may have replaced it.
                if (ReadWindow() is not { } w || w.Deadline != deadline) return;
                var restored = Revert(w.Previous);
                config.Store.SetLocal(WindowKey, null);
                logs.Event($"network change not confirmed by {Text(deadline)}: back to the previous values ({(restored.Count > 0 ? string.Join(", ", restored) : "already in place")})", "warning");
            }
            Changed?.Invoke();
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or LiteDB.LiteException)
        {
            // Stopping while the window closes: the next start finds the window still open and reverts then.
        }
    }

    /// <summary>Writes the guarded values back where they differ; returns "path value" for each one restored.</summary>
    private List<string> Revert(JsonObject previous)
    {
        var restored = new List<string>();
        foreach (var (section, fields) in Guarded)
        {
            try
            {
                // A checked read-modify-write: a field outside the window changed meanwhile is kept, not undone.
                restored.AddRange(config.Checked(() => RevertSection(section, fields, previous[section] as JsonObject ?? [])));
            }
            catch (Exception e) when (e is ConfigValidationException or Store.StaleReadException)
            {
                logs.Event($"the previous {section} settings cannot be restored: {e.Message}", "error");
            }
        }
        return restored;
    }

    private List<string> RevertSection(string section, IReadOnlyList<string> fields, JsonObject was)
    {
        var restored = new List<string>();
        var current = config.Read(section);
        var value = (JsonObject)current.DeepClone();
        foreach (var field in fields)
        {
            if (JsonNode.DeepEquals(current[field], was[field])) continue;
            if (was[field] is { } old) value[field] = old.DeepClone();
            else value.Remove(field);
            restored.Add($"{section}.{field} {(was[field] is { } v ? v.ToString() : "unset")}");
        }
        if (JsonNode.DeepEquals(current, value)) return restored;
        // Checked by the model like any stored value, not against the other peers: the way back in comes first.
        var checkedValue = ConfigOps.Validate(section, value).Value;
        config.Change(section, null, current, checkedValue, "applianced", "system", section);
        return restored;
    }

    /// <summary>The guarded values as they are now, by section.</summary>
    private JsonObject Snapshot()
    {
        var snapshot = new JsonObject();
        foreach (var (section, fields) in Guarded)
        {
            var current = config.Read(section);
            var values = new JsonObject();
            foreach (var field in fields) values[field] = current[field]?.DeepClone();
            snapshot[section] = values;
        }
        return snapshot;
    }

    private void WriteWindow(DateTimeOffset deadline, IReadOnlyList<string> changed, JsonObject previous) =>
        config.Store.SetLocal(WindowKey, new JsonObject
        {
            ["deadline"] = deadline.ToString("o", CultureInfo.InvariantCulture),
            ["changed"] = new JsonArray(changed.Select(c => (JsonNode)c).ToArray()),
            ["previous"] = previous.DeepClone(),
        }.ToJsonString());

    private (DateTimeOffset Deadline, List<string> Changed, JsonObject Previous)? ReadWindow()
    {
        var raw = config.Store.GetLocal(WindowKey);
        if (raw is null) return null;
        var o = JsonNode.Parse(raw)!.AsObject();
        return (DateTimeOffset.Parse(o["deadline"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            o["changed"]!.AsArray().Select(c => c!.GetValue<string>()).ToList(), o["previous"]!.AsObject());
    }

    private void CancelTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
