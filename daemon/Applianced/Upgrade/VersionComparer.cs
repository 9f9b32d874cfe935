namespace Appliance.Daemon.Upgrade;

/// <summary>
/// Orders versions numerically where they parse ("1.10.0" after "1.9.2"); those that do not parse
/// come after, ordinally, which keeps the order total.
/// </summary>
internal sealed class VersionComparer : IComparer<string>
{
    public static readonly VersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var px = Version.TryParse(x, out var a);
        var py = Version.TryParse(y, out var b);
        if (px && py)
        {
            var c = a!.CompareTo(b);
            return c != 0 ? c : string.CompareOrdinal(x, y);
        }
        if (px != py)
            return px ? -1 : 1;
        return string.CompareOrdinal(x, y);
    }
}
