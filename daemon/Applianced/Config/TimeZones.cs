namespace Appliance.Daemon.Config;

/// <summary>Checks tzdata zone names against the zoneinfo directory (the same files timedated uses).</summary>
public static class TimeZones
{
    /// <summary>Null when the zone exists, else the rule broken.</summary>
    public static string? Check(string name, string zoneInfoDir)
    {
        // A path-like name must never reach outside the zoneinfo directory.
        var segments = name.Split('/');
        if (name.Length is 0 or > 64 || segments.Any(s => s.Length == 0 || s.StartsWith('.')
                || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+')))
            return "is not a time zone name like Europe/Oslo";
        if (Directory.Exists(zoneInfoDir))
        {
            var file = Path.Combine(zoneInfoDir, name);
            return IsTzif(file) ? null : $"is not a time zone in {zoneInfoDir}";
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out _) ? null : "is not a known time zone";
    }

    private static bool IsTzif(string file)
    {
        if (!File.Exists(file))
            return false;
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(file);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("TZif"u8);
    }
}
