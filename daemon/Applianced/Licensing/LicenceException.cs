namespace Appliance.Daemon.Licensing;

public enum LicenceError
{
    /// <summary>Not a licence key: wrong shape, bad encoding, or a payload we do not understand.</summary>
    InvalidFormat,
    /// <summary>Well formed but not signed by the vendor key (or altered).</summary>
    BadSignature,
    /// <summary>Valid, but issued for another hardware serial.</summary>
    OtherSerial,
    /// <summary>The same option key (same id) given twice; it counts once.</summary>
    Duplicate,
}

/// <summary>A licence key was refused; the message says why.</summary>
public sealed class LicenceException(LicenceError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public LicenceError Error { get; } = error;
}
