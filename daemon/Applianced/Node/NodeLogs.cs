using Appliance.Daemon.Logs;

namespace Appliance.Daemon.Node;

/// <summary>The peer's two logs and its alarms (R15: local activity only).</summary>
public sealed class NodeLogs
{
    public JsonLinesLog Events { get; }
    public JsonLinesLog Config { get; }
    public AlarmRegistry Alarms { get; }

    public NodeLogs(string dataDir, long capBytes, TimeProvider time)
    {
        var dir = Path.Combine(dataDir, "logs");
        Events = new JsonLinesLog("events", dir, capBytes);
        Config = new JsonLinesLog("config", dir, capBytes);
        Alarms = new AlarmRegistry(Events, time);
    }

    public void Event(string message, string level = "info") => Events.Append(new LogEntry { Level = level, Message = message });

    public JsonLinesLog Named(string name) => name switch
    {
        "events" => Events,
        "config" => Config,
        _ => throw new Api.ApiException(Api.ApiException.Usage, $"unknown log '{name}': use 'events' or 'config'", "log", name),
    };
}
