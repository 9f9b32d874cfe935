namespace Appliance.Hal;

/// <summary>Syslog facility (RFC 5424 section 6.2.1).</summary>
public enum SyslogFacility
{
    /// <summary>Kernel messages.</summary>
    Kern = 0,
    /// <summary>User-level messages.</summary>
    User = 1,
    /// <summary>System daemons.</summary>
    Daemon = 3,
    /// <summary>Security/authorization messages.</summary>
    Auth = 4,
    /// <summary>Messages generated internally by syslogd.</summary>
    Syslog = 5,
    /// <summary>Local use 0.</summary>
    Local0 = 16,
    /// <summary>Local use 1.</summary>
    Local1 = 17,
    /// <summary>Local use 2.</summary>
    Local2 = 18,
    /// <summary>Local use 3.</summary>
    Local3 = 19,
    /// <summary>Local use 4.</summary>
    Local4 = 20,
    /// <summary>Local use 5.</summary>
    Local5 = 21,
    /// <summary>Local use 6.</summary>
    Local6 = 22,
    /// <summary>Local use 7.</summary>
    Local7 = 23,
}

/// <summary>Syslog severity (RFC 5424 section 6.2.1).</summary>
public enum SyslogSeverity
{
    /// <summary>System is unusable.</summary>
    Emergency = 0,
    /// <summary>Action must be taken immediately.</summary>
    Alert = 1,
    /// <summary>Critical conditions.</summary>
    Critical = 2,
    /// <summary>Error conditions.</summary>
    Error = 3,
    /// <summary>Warning conditions.</summary>
    Warning = 4,
    /// <summary>Normal but significant condition.</summary>
    Notice = 5,
    /// <summary>Informational messages.</summary>
    Informational = 6,
    /// <summary>Debug-level messages.</summary>
    Debug = 7,
}

/// <summary>One syslog message; null or empty header fields are sent as the NILVALUE "-".</summary>
/// <param name="Facility">Facility.</param>
/// <param name="Severity">Severity.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="HostName">The sending host's name.</param>
/// <param name="AppName">The application, e.g. "applianced".</param>
/// <param name="ProcId">Process id or another process identifier.</param>
/// <param name="MsgId">The message type, e.g. "config" or "event".</param>
/// <param name="Message">Free text.</param>
public sealed record SyslogMessage(
    SyslogFacility Facility, SyslogSeverity Severity, DateTimeOffset Timestamp,
    string? HostName, string? AppName, string? ProcId, string? MsgId, string Message);

/// <summary>Where log messages go; sending never blocks.</summary>
public interface ISyslogSink
{
    /// <summary>Queues a message for delivery and returns at once.</summary>
    void Send(SyslogMessage message);
}

/// <summary>Collects messages in memory: the simulated sink for <c>--hal simulated</c> and the demo.</summary>
public sealed class MemorySyslogSink : ISyslogSink
{
    private readonly List<SyslogMessage> _messages = [];
    private readonly Lock _lock = new();

    /// <summary>A copy of every message sent so far.</summary>
    public IReadOnlyList<SyslogMessage> Messages
    {
        get
        {
            lock (_lock)
                return _messages.ToArray();
        }
    }

    /// <inheritdoc />
    public void Send(SyslogMessage message)
    {
        lock (_lock)
            _messages.Add(message);
    }
}
