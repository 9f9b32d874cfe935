using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.Ctl;

/// <summary>Times and durations for people. The daemon (and --json) speaks ISO-8601 UTC; people
/// read the appliance's local time (its time.zone) and "3 d 4 h".</summary>
internal static partial class PeopleTime
{
    /// <summary>The local time of an ISO-8601 time with a zone ("2026-11-25T10:00:00Z" reads
    /// "2026-11-25 11:00:00" in Europe/Oslo); any other text as it is.</summary>
    public static string LocalIfTime(string text, TimeZoneInfo? zone = null) =>
        IsoTime().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? TimeZoneInfo.ConvertTime(t, zone ?? TimeZoneInfo.Local).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : text;

    /// <summary>The two largest units: "3 d 4 h", "2 h 5 min", "4 min 10 s", "42 s".</summary>
    public static string Duration(double seconds)
    {
        var total = (long)Math.Max(0, seconds);
        (long Size, string Unit)[] units = [(86400, "d"), (3600, "h"), (60, "min"), (1, "s")];
        for (var i = 0; i < units.Length - 1; i++)
        {
            if (total < units[i].Size)
                continue;
            var (size, unit) = units[i];
            var (nextSize, nextUnit) = units[i + 1];
            var rest = total % size / nextSize;
            return rest == 0 ? $"{total / size} {unit}" : $"{total / size} {unit} {rest} {nextUnit}";
        }
        return $"{total} s";
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoTime();
}
