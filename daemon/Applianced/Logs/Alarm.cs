namespace Appliance.Daemon.Logs;

public sealed record Alarm(string Id, string Severity, string Text, DateTimeOffset Raised, DateTimeOffset? Lowered);
