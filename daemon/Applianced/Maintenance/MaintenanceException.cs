namespace Appliance.Daemon.Maintenance;

/// <summary>A maintenance operation was refused before anything changed; Kind is an API error kind.</summary>
public sealed class MaintenanceException(string kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Kind { get; } = kind;
}
