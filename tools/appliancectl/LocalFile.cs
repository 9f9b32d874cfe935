using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Ctl;

/// <summary>
/// The CLI's own files (it runs as the operator, with the operator's permissions): checked and named
/// in every error. On the appliance (over SSH or the console) the shell sets
/// <see cref="AreaVariable"/>: every file a command names is then a plain name in that transfer
/// area, the folder the `transfer` account reaches with sftp/scp, and nothing else.
/// </summary>
internal static partial class LocalFile
{
    public const string AreaVariable = "APPLIANCE_FILE_AREA";

    /// <summary>The transfer area, or null when the CLI may name any file (a developer's machine).</summary>
    public static string? Area { get; } = Environment.GetEnvironmentVariable(AreaVariable) is { Length: > 0 } a ? a : null;

    /// <summary>Where <paramref name="name"/> is: itself, or inside the transfer area (refused unless a plain name).</summary>
    public static string Resolve(string name, string group)
    {
        if (Area is null)
            return name;
        if (name.Length is 0 or > 255 || name is "." or ".." || name.StartsWith('.') || name.Contains('/')
            || name.Any(char.IsControl))
            throw new UsageException($"'{Printable(name)}' is not a file name: on the appliance files are named inside the transfer area " +
                "(plain names, no '/', not starting with '.'; `sftp transfer@HOST` puts them there and fetches them)", group);
        return Path.Combine(Area, name);
    }

    public static FileStream OpenRead(string name, string group)
    {
        var path = Resolve(name, group);
        try
        {
            if (Area is null)
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
            // In the area a link could lead anywhere the admin account may read: never follow one.
            var fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException(errno switch
                {
                    ELOOP => "it is a symbolic link; the transfer area takes plain files",
                    ENOENT => "no such file in the transfer area",
                    _ => Marshal.GetPInvokeErrorMessage(errno),
                });
            }
            return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 81920);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {name}: {e.Message}", group);
        }
    }

    /// <summary>Text of a small file, at most <paramref name="maxBytes"/> (a larger one is refused, not cut).</summary>
    public static string ReadText(string name, int maxBytes, string group)
    {
        using var file = OpenRead(name, group);
        var buffer = new byte[maxBytes + 1];
        var n = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n > maxBytes)
            throw new UsageException($"{name} is larger than {maxBytes} bytes; nothing was done", group);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>Refuses to overwrite <paramref name="name"/>; returns where it goes and the temporary name the data goes to first.</summary>
    public static (string Path, string Partial) CheckNew(string name)
    {
        var path = Resolve(name, "backup");
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
            throw new UsageException($"{name} exists; choose another name or remove it first", "backup");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
            throw new UsageException($"the directory {dir} does not exist", "backup");
        return (path, path + ".partial");
    }

    /// <summary>
    /// A backup holds the configuration's secrets: the copy is the operator's alone (0600); in the
    /// transfer area also the transfer account's to read, through the area's group (0640).
    /// </summary>
    public static FileStream CreatePrivate(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Options = FileOptions.Asynchronous,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite
            | (Area is null ? UnixFileMode.None : UnixFileMode.GroupRead),
    });

    private static string Printable(string s) => new([.. s.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);

    private const int O_RDONLY = 0, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, ELOOP = 40, ENOENT = 2;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);
}
