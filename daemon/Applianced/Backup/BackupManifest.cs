using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Daemon.Backup;

/// <summary>One archived entry as listed in manifest.json.</summary>
public sealed record BackupManifestEntry(string Name, long Size, string Sha256);

/// <summary>
/// manifest.json, the first entry of every backup archive: who made it, when, and the size and
/// SHA-256 (lower-case hex) of every other entry.
/// </summary>
public sealed record BackupManifest(
    int FormatVersion,
    string SoftwareVersion,
    string HardwareSerial,
    string PeerId,
    string? ClusterId,
    DateTime CreatedUtc,
    IReadOnlyList<BackupManifestEntry> Entries)
{
    public const string FileName = "manifest.json";

    // Archive format versions, one line each on what changed.
    /// <summary>First version: gzip'd pax tar, manifest.json first, flat entry names.</summary>
    public const int FormatVersion1 = 1;

    public const int CurrentFormatVersion = FormatVersion1;

    public static IReadOnlyList<int> KnownFormatVersions { get; } = [FormatVersion1];

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, BackupJsonContext.Default.BackupManifest);

    /// <summary>Parses and checks a manifest; every defect is a <see cref="BackupException"/> naming it.</summary>
    public static BackupManifest Parse(ReadOnlySpan<byte> json)
    {
        BackupManifest? m;
        try
        {
            m = JsonSerializer.Deserialize(json, BackupJsonContext.Default.BackupManifest);
        }
        catch (JsonException e)
        {
            throw Invalid($"not valid JSON ({e.Message})", e);
        }
        if (m is null)
            throw Invalid("it is empty (null)");
        if (!KnownFormatVersions.Contains(m.FormatVersion))
            throw new BackupException(BackupError.UnsupportedVersion,
                $"unsupported backup format version {m.FormatVersion} (this software reads {string.Join(", ", KnownFormatVersions)})");
        Require(m.SoftwareVersion, "softwareVersion");
        Require(m.HardwareSerial, "hardwareSerial");
        Require(m.PeerId, "peerId");
        if (m.CreatedUtc == default)
            throw Invalid("createdUtc is missing");
        if (m.Entries is null)
            throw Invalid("entries is missing");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in m.Entries)
        {
            if (e is null)
                throw Invalid("an entry is null");
            var problem = BackupEntryName.Problem(e.Name);
            if (problem is not null)
                throw Invalid($"entry name \"{e.Name}\" {problem}");
            if (!seen.Add(e.Name))
                throw Invalid($"entry \"{e.Name}\" is listed twice");
            if (e.Size < 0)
                throw Invalid($"entry \"{e.Name}\" has negative size {e.Size}");
            if (e.Sha256 is null || e.Sha256.Length != 64 || !e.Sha256.All(char.IsAsciiHexDigitLower))
                throw Invalid($"entry \"{e.Name}\" sha256 \"{e.Sha256}\" is not 64 lower-case hex digits");
        }
        return m;
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw Invalid($"{field} is missing or empty");
    }

    private static BackupException Invalid(string what, Exception? inner = null) =>
        new(BackupError.InvalidManifest, $"invalid {FileName}: {what}", inner);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;
