namespace Appliance.Daemon.Backup;

/// <summary>
/// What a reader accepts, checked on manifest.json before any entry is extracted: the manifest
/// itself (e.g. this peer's serial and a supported version) and the total size the entries
/// unpack to. The sizes are then held while extracting: an entry longer than the manifest says
/// is refused (see <see cref="BackupReader"/>).
/// </summary>
public sealed record BackupReadLimits
{
    public static readonly BackupReadLimits None = new();

    /// <summary>Refuses a manifest by throwing a <see cref="BackupException"/>.</summary>
    public Action<BackupManifest>? CheckManifest { get; init; }

    /// <summary>The most the entries may add up to, in bytes.</summary>
    public long MaxExtractedBytes { get; init; } = long.MaxValue;

    internal void Check(BackupManifest manifest)
    {
        CheckManifest?.Invoke(manifest);
        var total = manifest.Entries.Aggregate(0L, (sum, e) => sum > long.MaxValue - e.Size ? long.MaxValue : sum + e.Size);
        if (total > MaxExtractedBytes)
            throw new BackupException(BackupError.TooLarge,
                $"the backup unpacks to {total} bytes (by its manifest); at most {MaxExtractedBytes} are accepted here");
    }
}
