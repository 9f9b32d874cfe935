using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Conferencing;

/// <summary>
/// The live conferences as placement, `conferences show` and the linger read them: the shared
/// conferences records (R8), each with its participants counted per peer. Every peer's B2BUA writes
/// only its own calls (conference-participants, in its own scope), so two peers adding a call at the
/// same instant cannot lose one of them to last-writer-wins; the record's own participants field
/// (written by hand, or 0 when a B2BUA placed it) is added on top.
/// </summary>
public static class LiveConferences
{
    public static IReadOnlyList<LiveConference> Read(ConfigStore config, ConfigLookup? lookup = null)
    {
        var calls = Calls(config);
        return (lookup ?? config.Lookup()).Items("conferences").Select(LiveConference.From).OfType<LiveConference>()
            .Select(c => calls.TryGetValue(c.Name, out var n) ? c with { Participants = c.Participants + n } : c)
            .ToList();
    }

    /// <summary>Calls per conference over every peer's conference-participants records; one a peer sent that is not valid counts nothing.</summary>
    private static Dictionary<string, int> Calls(ConfigStore config)
    {
        var sums = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var scope in config.Store.PeerScopes())
        {
            foreach (var record in config.Store.List(scope, ConfigSchema.ConferenceParticipants))
            {
                if (record.Value is null || JsonNode.Parse(record.Value) is not JsonObject item) continue;
                try
                {
                    var value = ConfigOps.Validate(ConfigSchema.ConferenceParticipants, item).Value;
                    if (value["participants"] is JsonValue v && v.TryGetValue<int>(out var n))
                        sums[record.Key] = sums.GetValueOrDefault(record.Key) + n;
                }
                catch (ConfigValidationException) { } // its alarm is InvalidRecordAlarms' business
            }
        }
        return sums;
    }
}
