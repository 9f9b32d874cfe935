using System.Text;

namespace Appliance.Daemon.Files;

/// <summary>
/// A file other programs read (sshd's authorized keys, the password request chpasswd reads), replaced
/// whole: written to a temp file in the same directory, flushed, then renamed over the old one, so a
/// reader sees the old content or the new, never a torn or half-written file, and a file that would
/// not change is not touched (a .path unit watching it starts only on a real change).
/// </summary>
internal static class ReplacedFile
{
    /// <summary>Writes when the content differs; returns whether it did. A directory it creates gets <paramref name="directoryMode"/>.</summary>
    public static bool WriteIfChanged(string path, string content, UnixFileMode mode, UnixFileMode directoryMode)
    {
        var bytes = new UTF8Encoding(false).GetBytes(content);
        if (File.Exists(path) && File.GetUnixFileMode(path) == mode && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            return false;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir);
            // The umask may have taken bits away, and sshd's StrictModes refuses a group/world-writable one.
            File.SetUnixFileMode(dir, directoryMode);
        }
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tmp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
            {
                stream.Write(bytes);
                // On disk before the rename, or a power cut can leave an empty file under the final name.
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(tmp, mode); // the umask applies to UnixCreateMode too
            File.Move(tmp, path, overwrite: true);
            return true;
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }
}
