using System.Security.Cryptography;
using Appliance.Daemon.Licensing;

namespace Appliance.Daemon.Upgrade;

/// <summary>Installed versions and which one runs.</summary>
public sealed record InstallerStatus(IReadOnlyList<string> Versions, string? Active, string? Previous);

/// <summary>
/// Installs verified packages under <c>&lt;root&gt;/releases/&lt;version&gt;/</c> and chooses the running
/// one with the symbolic link <c>&lt;root&gt;/current</c> (-> <c>releases/&lt;version&gt;</c>);
/// <c>&lt;root&gt;/previous</c> remembers the one before for <see cref="Rollback"/>. Each link is switched
/// with rename(2) over it, so it always points at a complete release. Serialised within the process.
/// </summary>
public sealed partial class Installer
{
    public const string ReleasesDirectoryName = "releases";
    public const string CurrentLinkName = "current";
    public const string PreviousLinkName = "previous";

    private readonly object _gate = new();
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
    /// Verifies the package and its signature and unpacks it into releases/&lt;version&gt;/ (via a
    /// hidden directory renamed into place). Reinstalling an inactive version replaces it; the
    /// active one is refused. Does not activate.
    /// </summary>
    public UpgradePackageInfo Install(string packagePath, string signaturePath)
    {
        lock (_gate)
        {
            UpgradePackageInfo info;
            using (var key = _vendorKey())
                info = UpgradePackage.Verify(packagePath, signaturePath, key);
            var target = ReleaseDirectory(info.Version);
            if (Status().Active == info.Version)
                throw new UpgradeException(UpgradeError.InvalidState, $"version {info.Version} is installed and active; it cannot be replaced while it runs");
            Directory.CreateDirectory(ReleasesDirectory);
            var incoming = Path.Combine(ReleasesDirectory, $".incoming-{info.Version}-{Guid.NewGuid():N}");
            string? old = null;
            try
            {
                Directory.CreateDirectory(incoming);
                // Extract what was verified: read again, checking the shape again as we go.
                var extracted = UpgradePackage.Read(packagePath, incoming);
                if (extracted.Version != info.Version)
                    throw new UpgradeException(UpgradeError.InvalidPackage, $"package {packagePath} changed while being installed");
                if (Directory.Exists(target))
                {
                    old = Path.Combine(ReleasesDirectory, $".old-{info.Version}-{Guid.NewGuid():N}");
                    Directory.Move(target, old);
                }
                Directory.Move(incoming, target);
            }
            finally
            {
                if (Directory.Exists(incoming))
                    Directory.Delete(incoming, recursive: true);
                if (old is not null && Directory.Exists(old))
                    Directory.Delete(old, recursive: true);
            }
            return info;
        }
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
