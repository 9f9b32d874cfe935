namespace Appliance.Daemon.Files;

/// <summary>Files that may hold secrets are created 0600 from the start, never chmod'ed afterwards.</summary>
internal static class PrivateFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A new file (an existing one is an error), mode 0600 whatever the umask.</summary>
    public static FileStream CreateNew(string path, FileAccess access = FileAccess.Write)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = access,
            Options = FileOptions.Asynchronous,
        };
        // The guard is for the platform analyzer; the daemon only runs on Linux.
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = Mode;
        return new FileStream(path, options);
    }
}
