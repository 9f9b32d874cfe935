using System.Globalization;

namespace Appliance.Daemon.Backup;

/// <summary>
/// Backup file names: <c>&lt;software version&gt;_&lt;hardware serial&gt;_&lt;yyyyMMdd&gt;_&lt;HHmmss&gt;_backup.tar.gz</c>,
/// with <c>.enc</c> appended when password-encrypted. Version and serial may not contain '_' so the
/// name splits back unambiguously.
/// </summary>
public sealed record BackupFileName(string SoftwareVersion, string HardwareSerial, DateTime CreatedUtc, bool Encrypted)
{
    public const string PlainSuffix = "_backup.tar.gz";
    public const string EncryptedSuffix = "_backup.tar.gz.enc";

    public override string ToString() =>
        $"{SoftwareVersion}_{HardwareSerial}_{CreatedUtc.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture)}" +
        (Encrypted ? EncryptedSuffix : PlainSuffix);

    /// <summary>Builds a name, refusing identity fields that would make it ambiguous.</summary>
    public static string Format(string softwareVersion, string hardwareSerial, DateTime createdUtc, bool encrypted)
    {
        CheckPart(softwareVersion, "software version");
        CheckPart(hardwareSerial, "hardware serial");
        return new BackupFileName(softwareVersion, hardwareSerial, createdUtc, encrypted).ToString();
    }

    /// <summary>Splits a backup file name (no directory); null when it is not one.</summary>
    public static BackupFileName? TryParse(string fileName)
    {
        bool encrypted;
        string stem;
        if (fileName.EndsWith(EncryptedSuffix, StringComparison.Ordinal))
            (encrypted, stem) = (true, fileName[..^EncryptedSuffix.Length]);
        else if (fileName.EndsWith(PlainSuffix, StringComparison.Ordinal))
            (encrypted, stem) = (false, fileName[..^PlainSuffix.Length]);
        else
            return null;
        var parts = stem.Split('_');
        if (parts.Length != 4 || PartProblem(parts[0]) is not null || PartProblem(parts[1]) is not null)
            return null;
        if (!DateTime.TryParseExact(parts[2] + parts[3], "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created))
            return null;
        return new BackupFileName(parts[0], parts[1], created, encrypted);
    }

    internal static void CheckPart(string value, string what)
    {
        var problem = PartProblem(value);
        if (problem is not null)
            throw new BackupException(BackupError.InvalidArgument, $"{what} \"{value}\" {problem}: it becomes part of the backup file name");
    }

    private static string? PartProblem(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "is empty";
        if (value.Length > 64)
            return "is longer than 64 characters";
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+'))
                return $"contains '{c}' (allowed: letters, digits, '.', '-', '+')";
        }
        return null;
    }
}
