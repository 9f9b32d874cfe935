namespace Appliance.Hal;

/// <summary>The appliance's hardware serial number (used in backup names and to bind a restore to its peer).</summary>
public interface IHardwareIdentity
{
    /// <summary>
    /// The serial: stable across restarts, safe in a file name (letters, digits, '-', '.'; never
    /// '_', which separates the fields of a backup name).
    /// </summary>
    string SerialNumber { get; }

    /// <summary>Where the serial came from: "dmi", "machine-id" or "simulated".</summary>
    string Source { get; }
}

/// <summary>Thrown when no serial can be determined; names every path tried and why each failed.</summary>
public sealed class HardwareIdentityException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was tried and why it failed.</param>
    public HardwareIdentityException(string message) : base(message)
    {
    }
}
