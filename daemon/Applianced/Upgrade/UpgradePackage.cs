using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Appliance.Daemon.Files;
using Appliance.Daemon.Licensing;

namespace Appliance.Daemon.Upgrade;

/// <summary>What a verified package holds.</summary>
public sealed record UpgradePackageInfo(string Version, int FileCount, long Bytes);

/// <summary>
/// An upgrade package: a tar.gz holding a <c>VERSION</c> file (the version, one line) and a folder
/// <c>app/</c> with a self-contained build, plus a detached signature <c>FILE.sig</c>
/// (<see cref="PackageSignature"/>). Only regular files and directories are accepted, with
/// relative names that stay inside the package.
/// </summary>
public static class UpgradePackage
{
    public const string VersionFile = "VERSION";
    public const string AppDirectory = "app";
    private const int MaxVersionFileBytes = 256;

    /// <summary>Checks the signature against the built-in vendor key, then the package's shape.</summary>
    public static UpgradePackageInfo Verify(string packagePath, string signaturePath)
    {
        using var key = VendorKey.LoadBuiltIn();
        return Verify(packagePath, signaturePath, key);
    }

    /// <summary>
    /// As <see cref="Verify(string, string)"/> with another vendor public key. The package is opened
    /// once (a regular file, no link followed) and both checks read that one open file.
    /// </summary>
    public static UpgradePackageInfo Verify(string packagePath, string signaturePath, ECDsa vendorPublicKey)
    {
        var signature = ReadSignatureFile(signaturePath);
        using var package = OpenFile(packagePath);
        PackageSignature.Verify(package, signature, vendorPublicKey);
        package.Position = 0;
        return Read(package, extractTo: null);
    }

    /// <summary>Opens a package file once: a regular file, no link followed (see <see cref="RegularFile"/>).</summary>
    internal static FileStream OpenFile(string packagePath)
    {
        try { return RegularFile.OpenRead(packagePath, "package"); }
        catch (RefusedFileException e) { throw Invalid(e.Message, e); }
    }

    /// <summary>The text of a .sig file (at most a few hundred bytes; a larger file is refused unread).</summary>
    public static string ReadSignatureFile(string signaturePath)
    {
        if (!File.Exists(signaturePath))
            throw new UpgradeException(UpgradeError.BadSignature, $"signature file {signaturePath} does not exist");
        using var file = OpenSignature(signaturePath);
        var buffer = new byte[PackageSignature.MaxSignatureChars + 1];
        var n = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n > PackageSignature.MaxSignatureChars)
            throw new UpgradeException(UpgradeError.BadSignature, $"signature file {signaturePath} is larger than a signature line ({PackageSignature.MaxSignatureChars} bytes)");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static FileStream OpenSignature(string signaturePath)
    {
        try { return RegularFile.OpenRead(signaturePath, "signature file"); }
        catch (RefusedFileException e) { throw new UpgradeException(UpgradeError.BadSignature, e.Message, e); }
    }

    /// <summary>Why <paramref name="version"/> is not usable as a release directory name, or null.</summary>
    public static string? VersionProblem(string? version)
    {
        if (string.IsNullOrEmpty(version))
            return "is empty";
        if (version.Length > 64)
            return "is longer than 64 characters";
        if (version[0] == '.')
            return "starts with '.'";
        foreach (var c in version)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+'))
                return $"contains '{c}' (allowed: letters, digits, '.', '-', '+')";
        }
        return null;
    }

    /// <summary>Walks the package (from the stream's position), checking every entry, and extracts it when <paramref name="extractTo"/> is given.</summary>
    internal static UpgradePackageInfo Read(Stream package, string? extractTo)
    {
        string? version = null;
        int files = 0;
        long bytes = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var gz = new GZipStream(package, CompressionMode.Decompress, leaveOpen: true);
            using var tar = new TarReader(new TarHeaderGuard(gz));
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                    continue;
                var name = EntryName(entry.Name);
                if (name is null)
                    continue;
                if (!seen.Add(name))
                    throw Invalid($"entry \"{entry.Name}\" appears twice");
                if (name == VersionFile)
                {
                    version = ReadVersion(entry);
                    if (extractTo is not null)
                        File.WriteAllText(Path.Combine(extractTo, VersionFile), version + "\n");
                    continue;
                }
                if (name != AppDirectory && !name.StartsWith(AppDirectory + "/", StringComparison.Ordinal))
                    throw Invalid($"unexpected entry \"{entry.Name}\" (a package holds {VersionFile} and {AppDirectory}/)");
                if (name == AppDirectory && entry.EntryType != TarEntryType.Directory)
                    throw Invalid($"\"{entry.Name}\" must be a directory");
                if (entry.EntryType == TarEntryType.Directory)
                {
                    if (extractTo is not null)
                        Directory.CreateDirectory(Path.Combine(extractTo, name));
                    continue;
                }
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw Invalid($"entry \"{entry.Name}\" is a {entry.EntryType}; a package holds only files and directories");
                files++;
                bytes += entry.Length;
                if (extractTo is not null)
                    Extract(entry, Path.Combine(extractTo, name));
                else
                    entry.DataStream?.CopyTo(Stream.Null);
            }
        }
        // TarReader reports a base-256 number too large for a long as an OverflowException, an
        // extended header size over 2 GiB as an InvalidOperationException, and a time beyond
        // DateTime's range as an ArgumentOutOfRangeException.
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or OverflowException
            or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw Invalid($"the package is not a valid tar.gz or is damaged: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            // TarReader refuses some entry types (GNU sparse files) before we see the entry.
            throw Invalid($"the package holds an entry this reader does not take: {e.Message}", e);
        }
        if (version is null)
            throw Invalid($"the package has no {VersionFile} file");
        if (files == 0)
            throw Invalid($"the package has no files under {AppDirectory}/");
        return new UpgradePackageInfo(version, files, bytes);
    }

    /// <summary>The entry name without a leading "./"; null for the root itself; refused if it could escape.</summary>
    private static string? EntryName(string raw)
    {
        var name = raw;
        while (name.StartsWith("./", StringComparison.Ordinal))
            name = name[2..];
        name = name.TrimEnd('/');
        if (name.Length == 0 || name == ".")
            return null;
        if (raw.StartsWith('/') || name.Split('/').Any(s => s is "" or "." or ".."))
            throw Invalid($"entry \"{raw}\" is absolute or has an empty, '.' or '..' component");
        return name;
    }

    private static string ReadVersion(TarEntry entry)
    {
        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Length > MaxVersionFileBytes)
            throw Invalid($"{VersionFile} must be a regular file of at most {MaxVersionFileBytes} bytes");
        using var reader = new StreamReader(entry.DataStream ?? Stream.Null);
        var version = reader.ReadToEnd().Trim();
        var problem = VersionProblem(version);
        return problem is null ? version : throw Invalid($"{VersionFile} \"{version}\" {problem}");
    }

    private static void Extract(TarEntry entry, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            entry.DataStream?.CopyTo(output);
        // Keep the package's permission bits (executables stay executable) without set-id bits.
        var mode = (entry.Mode & (UnixFileMode)0x1FF) | UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
    }

    private static UpgradeException Invalid(string message, Exception? inner = null) =>
        new(UpgradeError.InvalidPackage, message, inner);
}
