namespace Appliance.Daemon.Backup;

/// <summary>Files that may hold secrets are created 0600 from the start, never chmod'ed afterwards.</summary>
internal static class PrivateFile
{
    public static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.Asynchronous,
        };
        // The guard is for the platform analyzer; the daemon only runs on Linux.
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }
}
