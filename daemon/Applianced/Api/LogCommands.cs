using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>log.read, log.follow and alarms.</summary>
internal static class LogCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new ApiTime.Converter() },
    };

    /// <summary>The most entries one log.read returns; a larger log is read in steps with since.</summary>
    public const int MaxLimit = 100_000;

    public static void Register(ApiRouter router, NodeLogs logs)
    {
        router.Add("log.read", r =>
        {
            var log = logs.Named(r.OptionalString("log") ?? "events");
            var entries = log.Read(Since(r), r.OptionalInt("limit", 1, MaxLimit) ?? 1000);
            return new JsonObject { ["title"] = $"{log.Name} log", ["entries"] = ToJson(entries) };
        });
        router.AddStream("log.follow", async (r, write, ct) =>
        {
            var log = logs.Named(r.OptionalString("log") ?? "events");
            // Subscribe before reading the backlog so nothing falls between the two.
            var follow = log.Follow(ct).GetAsyncEnumerator(ct);
            var pending = follow.MoveNextAsync();
            foreach (var e in log.Read(Since(r) ?? DateTimeOffset.UtcNow, int.MaxValue))
                await write(new JsonObject { ["entry"] = JsonSerializer.SerializeToNode(e, Json) });
            try
            {
                while (await pending)
                {
                    await write(new JsonObject { ["entry"] = JsonSerializer.SerializeToNode(follow.Current, Json) });
                    pending = follow.MoveNextAsync();
                }
            }
            catch (OperationCanceledException) { }
            finally { await follow.DisposeAsync(); }
        });
        router.Add("alarms", _ => new JsonObject
        {
            ["title"] = "alarms",
            ["alarms"] = new JsonArray(logs.Alarms.All().Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id,
                ["severity"] = a.Severity,
                ["text"] = a.Text,
                ["raised"] = ApiTime.Text(a.Raised),
                // null while the alarm is up: a time, or nothing (PROTOCOL.md).
                ["lowered"] = a.Lowered is { } lowered ? ApiTime.Text(lowered) : null,
            }).ToArray()),
        });
    }

    private static JsonArray ToJson(IEnumerable<LogEntry> entries) =>
        new(entries.Select(e => JsonSerializer.SerializeToNode(e, Json)).ToArray());

    private static DateTimeOffset? Since(ApiRequest r)
    {
        var since = r.OptionalString("since");
        if (since is null) return null;
        return DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw new ApiException(ApiException.Usage, $"since: '{since}' is not an ISO-8601 time", "since", since, "ISO-8601 time");
    }
}
