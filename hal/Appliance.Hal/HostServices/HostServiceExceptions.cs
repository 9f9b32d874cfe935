namespace Appliance.Hal.HostServices;

/// <summary>
/// The host service could not be reached: no system D-Bus at the configured address, the bus went
/// away, or the daemon that owns the service is not running. Appliers show <see cref="Exception.Message"/>
/// as a status line; the next call tries again.
/// </summary>
public sealed class HostServiceUnavailableException : Exception
{
    /// <summary>Creates the exception with a message naming what is missing and where.</summary>
    public HostServiceUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with the failure that showed the service is missing.</summary>
    public HostServiceUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The host service was reached but refused or failed the call (a D-Bus error reply).</summary>
public sealed class HostServiceCallException : Exception
{
    /// <summary>Creates the exception for <paramref name="operation"/> failing with a D-Bus error.</summary>
    public HostServiceCallException(string operation, string errorName, string errorMessage, Exception? innerException = null)
        : base($"{operation} failed: {errorName}: {errorMessage}", innerException)
    {
        Operation = operation;
        ErrorName = errorName;
    }

    /// <summary>What was asked, e.g. "hostname1 SetStaticHostname".</summary>
    public string Operation { get; }

    /// <summary>The D-Bus error name, e.g. "org.freedesktop.DBus.Error.AccessDenied".</summary>
    public string ErrorName { get; }
}
