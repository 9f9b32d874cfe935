using Appliance.Daemon.Files;
using System.Security.Cryptography;
using Appliance.Daemon.Licensing;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Upgrade;

/// <summary>Installed versions and which one runs.</summary>
public sealed record InstallerStatus(IReadOnlyList<string> Versions, string? Active, string? Previous);

/// <summary>
/// Installs verified packages under <c>&lt;root&gt;/releases/&lt;version&gt;/</c> and chooses the running
/// one with the symbolic link <c>&lt;root&gt;/current</c> (-> <c>releases/&lt;version&gt;</c>);
/// <c>&lt;root&gt;/previous</c> remembers the one before for <see cref="Rollback"/>. Each link is switched
/// with rename(2) over it, so it always points at a complete release. Link and directory switches are
/// serialised within the process; they are quick, so reading the status never waits for an install.
/// </summary>
public sealed partial class Installer
{
    public const string ReleasesDirectoryName = "releases";
    public const string CurrentLinkName = "current";
    public const string PreviousLinkName = "previous";

    private readonly object _gate = new();
    private readonly SemaphoreSlim _installing = new(1, 1);
    private readonly Func<ECDsa> _vendorKey;

    /// <summary>An installer that verifies packages against the built-in vendor key.</summary>
    public Installer(string root)
        : this(root, VendorKey.LoadBuiltIn)
    {
    }

    // For testing: another vendor key.
    internal Installer(string root, Func<ECDsa> vendorKey)
    {
        Root = Path.GetFullPath(root);
        _vendorKey = vendorKey;
    }

    public string Root { get; }

    public string ReleasesDirectory => Path.Combine(Root, ReleasesDirectoryName);

    public string CurrentLink => Path.Combine(Root, CurrentLinkName);

    public string PreviousLink => Path.Combine(Root, PreviousLinkName);

    public string ReleaseDirectory(string version) => Path.Combine(ReleasesDirectory, CheckVersion(version));

    /// <summary>
    /// Installs the package at <paramref name="packagePath"/> with the signature file beside it:
    /// each is opened once (regular files only, no link followed), and the package is then
    /// installed from a private copy as <see cref="InstallAsync"/> does.
    /// </summary>
    public UpgradePackageInfo Install(string packagePath, string signaturePath, long maxBytes = DefaultMaxPackageBytes)
    {
        var signature = UpgradePackage.ReadSignatureFile(signaturePath);
        using var package = UpgradePackage.OpenFile(packagePath);
        return InstallAsync(package, signature, maxBytes, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Verifies a package and unpacks it into releases/&lt;version&gt;/ (via a hidden directory renamed
    /// into place). The bytes are read from <paramref name="package"/> exactly once, into a private
    /// staging file (mode 0600, at most <paramref name="maxBytes"/>, the copy stops there); the
    /// signature is checked on that copy and only that copy is unpacked, so nothing can change the
    /// package between the check and its use. Reinstalling an inactive version replaces it; the
    /// active one is refused. Does not activate. One install at a time; `Status` never waits for one.
    /// </summary>
    /// <remarks>Progress: "verifying" the signature, then "unpacking" (bytes of the package read).</remarks>
    public async Task<UpgradePackageInfo> InstallAsync(Stream package, string signature, long maxBytes, CancellationToken ct, WorkProgress? progress = null)
    {
        if (!_installing.Wait(0))
            throw new UpgradeException(UpgradeError.InvalidState, "another package is being installed; wait for it to finish");
        try
        {
            Directory.CreateDirectory(ReleasesDirectory);
            File.SetUnixFileMode(ReleasesDirectory, (UnixFileMode)0x1ED); // 0755 under any umask: see OpenForReading
            var staged = Path.Combine(ReleasesDirectory, $".package-{Guid.NewGuid():N}.tar.gz");
            try
            {
                await using var copy = await StageAsync(package, staged, maxBytes, ct);
                progress?.Begin("verifying", copy.Length);
                using (var key = _vendorKey())
                    PackageSignature.Verify(ProgressStream.Wrap(copy, progress), signature, key);
                copy.Position = 0;
                progress?.Begin("unpacking", copy.Length);
                return Unpack(ProgressStream.Wrap(copy, progress));
            }
            finally
            {
                File.Delete(staged);
            }
        }
        finally
        {
            _installing.Release();
        }
    }

    public const long DefaultMaxPackageBytes = 512L << 20;

    private static async Task<FileStream> StageAsync(Stream package, string path, long maxBytes, CancellationToken ct)
    {
        var copy = PrivateFile.CreateNew(path, FileAccess.ReadWrite);
        try
        {
            await CappedCopy.CopyAsync(package, copy, maxBytes,
                () => new UpgradeException(UpgradeError.InvalidPackage, $"the package is larger than {maxBytes} bytes, the most accepted; nothing was installed"), ct);
            copy.Position = 0;
            return copy;
        }
        catch
        {
            await copy.DisposeAsync();
            throw;
        }
    }

    /// <summary>Extracts the verified copy beside the releases, then moves it into place under the gate.</summary>
    private UpgradePackageInfo Unpack(Stream verified)
    {
        var incoming = Path.Combine(ReleasesDirectory, $".incoming-{Guid.NewGuid():N}");
        string? old = null;
        try
        {
            Directory.CreateDirectory(incoming);
            var info = UpgradePackage.Read(verified, incoming);
            OpenForReading(incoming);
            lock (_gate)
            {
                var target = ReleaseDirectory(info.Version);
                if (Status().Active == info.Version)
                    throw new UpgradeException(UpgradeError.InvalidState, $"version {info.Version} is installed and active; it cannot be replaced while it runs");
                if (Directory.Exists(target))
                {
                    old = Path.Combine(ReleasesDirectory, $".old-{info.Version}-{Guid.NewGuid():N}");
                    Directory.Move(target, old);
                }
                Directory.Move(incoming, target);
            }
            return info;
        }
        finally
        {
            if (Directory.Exists(incoming))
                Directory.Delete(incoming, recursive: true);
            if (old is not null && Directory.Exists(old))
                Directory.Delete(old, recursive: true);
        }
    }

    // The admin's CLI runs from the release under the admin account, and the daemon's UMask=0077
    // would make every directory it creates private: a release is readable by all (nothing in it
    // is secret; it is the signed package's content).
    private static void OpenForReading(string release)
    {
        const UnixFileMode dir = (UnixFileMode)0x1ED; // 0755
        File.SetUnixFileMode(release, dir);
        foreach (var d in Directory.EnumerateDirectories(release, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(d, dir);
        var version = Path.Combine(release, UpgradePackage.VersionFile);
        if (File.Exists(version))
            File.SetUnixFileMode(version, (UnixFileMode)0x1A4); // 0644
    }

    /// <summary>Points current at an installed version; the version it pointed at becomes previous.</summary>
    public void Activate(string version)
    {
        lock (_gate)
        {
            var target = RelativeTarget(version);
            if (!File.Exists(Path.Combine(ReleaseDirectory(version), UpgradePackage.VersionFile)))
                throw new UpgradeException(UpgradeError.InvalidState, $"version {version} is not installed (installed: {Installed()})");
            var was = ReadLink(CurrentLink);
            if (was == target)
                return;
            // previous first: a crash between the two leaves current unchanged and previous equal to it.
            if (was is not null)
                SwapLink(PreviousLink, was);
            SwapLink(CurrentLink, target);
        }
    }

    /// <summary>Points current back at previous (and previous at what was current); returns the version now active.</summary>
    public string Rollback()
    {
        lock (_gate)
        {
            var previous = ReadLink(PreviousLink);
            var current = ReadLink(CurrentLink);
            var previousVersion = VersionOf(previous);
            if (previousVersion is null || !Directory.Exists(ReleaseDirectory(previousVersion)))
                throw new UpgradeException(UpgradeError.InvalidState, "there is no previous version to roll back to");
            if (previous == current)
                return previousVersion;
            SwapLink(CurrentLink, previous!);
            if (current is not null)
                SwapLink(PreviousLink, current);
            return previousVersion;
        }
    }

    public InstallerStatus Status()
    {
        lock (_gate)
        {
            var versions = Directory.Exists(ReleasesDirectory)
                ? Directory.GetDirectories(ReleasesDirectory).Select(Path.GetFileName).OfType<string>()
                    .Where(v => UpgradePackage.VersionProblem(v) is null).Order(VersionComparer.Instance).ToList()
                : [];
            return new InstallerStatus(versions, VersionOf(ReadLink(CurrentLink)), VersionOf(ReadLink(PreviousLink)));
        }
    }

    /// <summary>Deletes an installed version that is neither current nor previous.</summary>
    public void Remove(string version)
    {
        lock (_gate)
        {
            var status = Status();
            if (version == status.Active || version == status.Previous)
                throw new UpgradeException(UpgradeError.InvalidState, $"version {version} is {(version == status.Active ? "active" : "the roll-back target")} and cannot be removed");
            var dir = ReleaseDirectory(version);
            if (!Directory.Exists(dir))
                throw new UpgradeException(UpgradeError.InvalidState, $"version {version} is not installed (installed: {Installed()})");
            Directory.Delete(dir, recursive: true);
        }
    }

    private string Installed()
    {
        var versions = Status().Versions;
        return versions.Count == 0 ? "none" : string.Join(", ", versions);
    }

    private static string CheckVersion(string version)
    {
        var problem = UpgradePackage.VersionProblem(version);
        return problem is null ? version : throw new UpgradeException(UpgradeError.InvalidState, $"version \"{version}\" {problem}");
    }

    private static string RelativeTarget(string version) => ReleasesDirectoryName + "/" + CheckVersion(version);

    private static string? VersionOf(string? target) =>
        target is not null && target.StartsWith(ReleasesDirectoryName + "/", StringComparison.Ordinal)
            ? target[(ReleasesDirectoryName.Length + 1)..]
            : null;
}
