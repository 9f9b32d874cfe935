namespace Appliance.Ctl;

/// <summary>The CLI's own files (it runs as the operator, with the operator's permissions): checked and named in every error.</summary>
internal static class LocalFile
{
    public static FileStream OpenRead(string path, string group)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}", group);
        }
    }

    /// <summary>Text of a small file, at most <paramref name="maxBytes"/> (a larger one is refused, not cut).</summary>
    public static string ReadText(string path, int maxBytes, string group)
    {
        using var file = OpenRead(path, group);
        var buffer = new byte[maxBytes + 1];
        var n = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n > maxBytes)
            throw new UsageException($"{path} is larger than {maxBytes} bytes; nothing was done", group);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>Refuses to overwrite <paramref name="path"/>; returns the temporary name the data goes to first.</summary>
    public static string CheckNew(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
            throw new UsageException($"{path} exists; choose another name or remove it first", "backup");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
            throw new UsageException($"the directory {dir} does not exist", "backup");
        return path + ".partial";
    }

    /// <summary>A backup holds the configuration's secrets: the copy here is the operator's alone (0600).</summary>
    public static FileStream CreatePrivate(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Options = FileOptions.Asynchronous,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    });
}
