using System.Security.Cryptography;

namespace Appliance.Hal;

/// <summary>
/// A serial for simulated peers: generated once and stored in the data directory so each
/// simulated peer keeps its own across restarts; a given serial overrides it.
/// </summary>
public sealed class SimulatedHardwareIdentity : IHardwareIdentity
{
    /// <summary>The file in the data directory that holds the generated serial.</summary>
    public const string FileName = "simulated-serial";

    private readonly Lazy<string> _serial;

    /// <summary>Creates the identity.</summary>
    /// <param name="dataDirectory">The peer's data directory.</param>
    /// <param name="overrideSerial">A serial to use instead of the stored one (not persisted), or null.</param>
    public SimulatedHardwareIdentity(string dataDirectory, string? overrideSerial = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (overrideSerial is not null && (!LinuxHardwareIdentity.IsMeaningful(overrideSerial) || LinuxHardwareIdentity.Sanitize(overrideSerial) != overrideSerial))
            throw new ArgumentException($"serial '{overrideSerial}' must be letters, digits, '-' or '.', and not a placeholder", nameof(overrideSerial));
        _serial = new Lazy<string>(() => overrideSerial ?? LoadOrCreate(dataDirectory));
    }

    /// <inheritdoc />
    public string SerialNumber => _serial.Value;

    /// <inheritdoc />
    public string Source => "simulated";

    private static string LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var stored = File.ReadAllText(path).Trim();
            if (stored.Length == 0 || LinuxHardwareIdentity.Sanitize(stored) != stored)
                throw new HardwareIdentityException($"simulated serial file '{path}' holds '{stored}', which is not a serial");
            return stored;
        }
        var serial = "SIM-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        AtomicFile.WriteAsync(path, serial + "\n", CancellationToken.None).GetAwaiter().GetResult();
        return serial;
    }
}
