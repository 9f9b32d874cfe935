namespace Appliance.Daemon.Backup;

/// <summary>
/// Entry names are flat file names so a restore can never write outside its directory and the
/// archive lists the same under every tar.
/// </summary>
internal static class BackupEntryName
{
    public const int MaxLength = 100;

    /// <summary>Why a name is not acceptable, or null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "is empty";
        if (name.Length > MaxLength)
            return $"is longer than {MaxLength} characters";
        if (name is "." or "..")
            return "is not a file name";
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return $"contains '{c}' (allowed: letters, digits, '.', '_', '-')";
        }
        return null;
    }
}
