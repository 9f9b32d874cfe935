using System.Text;

namespace Appliance.Hal;

/// <summary>Writes a file so readers see either the old or the new content, never a torn one.</summary>
internal static class AtomicFile
{
    public static async Task WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)
            ?? throw new ArgumentException($"path '{path}' has no directory", nameof(path));
        Directory.CreateDirectory(dir);
        // The temp file lives in the same directory so rename(2) stays on one filesystem and is atomic.
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = new UTF8Encoding(false).GetBytes(content);
                await fs.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                // Flush to disk before the rename, else a power cut can leave an empty file under the final name.
                fs.Flush(flushToDisk: true);
            }
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && File.Exists(full))
        {
            File.Delete(tmp);
            // Under systemd's ProtectSystem=strict a writable file such as /etc/resolv.conf is a bind
            // mount in a read-only directory: no temp file beside it, no rename over it. Write in place.
            await File.WriteAllTextAsync(full, content, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }
}
