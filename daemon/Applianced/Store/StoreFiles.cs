using Appliance.Daemon.Files;

namespace Appliance.Daemon.Store;

/// <summary>
/// The store file holds the cluster key, the peer's private key and password hashes, so it and
/// everything beside it is the owner's alone, whatever umask the daemon was started with: the data
/// directory is 0700 and the store's files 0600, created so and tightened if found open.
/// </summary>
internal static class StoreFiles
{
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OpenToOthers = (UnixFileMode)0x3F; // any group or other bit

    public static void EnsurePrivateDirectory(string dir)
    {
        if (!Directory.Exists(dir))
            Directory.CreateDirectory(dir, PrivateDirectoryMode);
        else if ((File.GetUnixFileMode(dir) & OpenToOthers) != 0)
            File.SetUnixFileMode(dir, PrivateDirectoryMode);
    }

    /// <summary>Creates an empty file 0600 when there is none; an existing one open to others is tightened.</summary>
    public static void EnsurePrivateFile(string path)
    {
        if (!File.Exists(path))
        {
            PrivateFile.CreateNew(path).Dispose();
            return;
        }
        Tighten(path);
    }

    /// <summary>Takes the group and other bits off a file that exists.</summary>
    public static void Tighten(string path)
    {
        if (File.Exists(path) && (File.GetUnixFileMode(path) & OpenToOthers) != 0)
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~OpenToOthers);
    }
}
