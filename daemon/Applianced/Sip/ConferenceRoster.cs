using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Sip;

/// <summary>
/// This peer's answered calls per conference, shared as its conference-participants records (one per
/// conference it has calls in, removed at zero). Only this peer writes its records, so counts of two
/// peers never overwrite each other (LiveConferences sums them). Writes are queued one at a time and
/// each writes the count as it is then, so a burst of calls ends in the right number.
/// </summary>
internal sealed class ConferenceRoster(ConfigStore config, NodeLogs logs)
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writing = new(1, 1);

    public void Join(string conference) => Change(conference, +1);

    public void Leave(string conference) => Change(conference, -1);

    public int Count(string conference)
    {
        lock (_counts) return _counts.GetValueOrDefault(conference);
    }

    private void Change(string conference, int by)
    {
        lock (_counts)
        {
            var n = Math.Max(0, _counts.GetValueOrDefault(conference) + by);
            if (n == 0) _counts.Remove(conference);
            else _counts[conference] = n;
        }
        _ = WriteAsync(conference);
    }

    private async Task WriteAsync(string conference)
    {
        await _writing.WaitAsync();
        try
        {
            var n = Count(conference);
            string? value = null;
            if (n > 0)
            {
                var item = new JsonObject { [SectionDef.NameField] = conference, ["participants"] = n };
                value = ConfigOps.Validate(ConfigSchema.ConferenceParticipants, item).Value.ToJsonString();
            }
            await config.Store.WriteAsync([new Mutation(config.OwnScope, ConfigSchema.ConferenceParticipants, conference, value)]);
        }
        catch (Exception e) when (e is ConfigValidationException or IOException or InvalidOperationException)
        {
            logs.Event($"SIP: the participant count of conference {conference} was not shared: {e.Message}", "error");
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>At start: records of a previous run are stale (calls do not survive a restart).</summary>
    public async Task ClearStaleAsync()
    {
        var stale = config.Store.List(config.OwnScope, ConfigSchema.ConferenceParticipants).Where(r => r.Value is not null)
            .Select(r => new Mutation(config.OwnScope, ConfigSchema.ConferenceParticipants, r.Key, null)).ToList();
        if (stale.Count > 0) await config.Store.WriteAsync(stale);
    }
}
