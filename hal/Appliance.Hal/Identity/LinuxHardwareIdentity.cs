using System.Security.Cryptography;
using System.Text;

namespace Appliance.Hal;

/// <summary>
/// The DMI product serial when it is readable and meaningful, else a serial derived from
/// /etc/machine-id (VMs and boards whose vendor never filled the field in).
/// </summary>
public sealed class LinuxHardwareIdentity : IHardwareIdentity
{
    /// <summary>The DMI serial as the kernel exposes it (root-readable only).</summary>
    public const string DefaultProductSerialPath = "/sys/class/dmi/id/product_serial";

    /// <summary>systemd's machine id, written once at first boot.</summary>
    public const string DefaultMachineIdPath = "/etc/machine-id";

    // Placeholders firmware vendors leave in the field; compared case-insensitively.
    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "0", "To be filled by O.E.M.", "To Be Filled By O.E.M", "Default string", "System Serial Number",
        "Not Specified", "Not Applicable", "None", "N/A", "NA", "OEM", "O.E.M.", "Unknown", "Serial",
        "0123456789", "123456789", "1234567890", "Chassis Serial Number", "SerialNumber", "Invalid",
    };

    private readonly Lazy<(string Serial, string Source)> _identity;

    /// <summary>Creates the identity reader; files are read once, on first use.</summary>
    /// <param name="productSerialPath">DMI product serial path (<see cref="DefaultProductSerialPath"/> on the appliance).</param>
    /// <param name="machineIdPath">machine-id path (<see cref="DefaultMachineIdPath"/> on the appliance).</param>
    public LinuxHardwareIdentity(string productSerialPath = DefaultProductSerialPath, string machineIdPath = DefaultMachineIdPath)
    {
        _identity = new Lazy<(string, string)>(() => Determine(productSerialPath, machineIdPath));
    }

    /// <inheritdoc />
    public string SerialNumber => _identity.Value.Serial;

    /// <inheritdoc />
    public string Source => _identity.Value.Source;

    private static (string, string) Determine(string productSerialPath, string machineIdPath)
    {
        string dmiReason;
        try
        {
            var raw = File.ReadAllText(productSerialPath).Trim();
            if (IsMeaningful(raw))
                return (Sanitize(raw), "dmi");
            dmiReason = $"'{raw}' is a placeholder";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            dmiReason = e.Message;
        }

        try
        {
            var id = File.ReadAllText(machineIdPath).Trim();
            if (id.Length != 32 || !id.All(char.IsAsciiHexDigit) || id.All(c => c == '0'))
                throw new HardwareIdentityException($"no hardware serial: {productSerialPath}: {dmiReason}; {machineIdPath}: '{id}' is not a 32-hex-digit machine id");
            // A hash, not the id itself: systemd asks that the machine id not be exposed, and
            // the serial appears in backup file names.
            var hash = SHA256.HashData(Encoding.ASCII.GetBytes("appliance-serial:" + id.ToLowerInvariant()));
            return ("MID-" + Convert.ToHexString(hash, 0, 6), "machine-id");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HardwareIdentityException($"no hardware serial: {productSerialPath}: {dmiReason}; {machineIdPath}: {e.Message}");
        }
    }

    internal static bool IsMeaningful(string serial)
    {
        if (serial.Length == 0 || Placeholders.Contains(serial))
            return false;
        // All one repeated character ("00000000", "xxxxxxxx", "........") is a placeholder too.
        if (serial.All(c => c == serial[0]))
            return false;
        return Sanitize(serial).Any(char.IsAsciiLetterOrDigit);
    }

    internal static string Sanitize(string serial)
    {
        var chars = serial.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray();
        return new string(chars).Trim('-', '.');
    }
}
