namespace Appliance.Daemon.Store;

/// <summary>
/// The version every replicated write carries. Last writer wins by (HLC, origin): comparing the
/// origin as well makes the order total, so every peer picks the same winner.
/// </summary>
public readonly record struct RecordVersion(long Hlc, string Origin) : IComparable<RecordVersion>
{
    public static readonly RecordVersion None = new(0, "");

    public int CompareTo(RecordVersion other)
    {
        var byClock = Hlc.CompareTo(other.Hlc);
        return byClock != 0 ? byClock : string.CompareOrdinal(Origin, other.Origin);
    }

    public static bool operator >(RecordVersion a, RecordVersion b) => a.CompareTo(b) > 0;
    public static bool operator <(RecordVersion a, RecordVersion b) => a.CompareTo(b) < 0;
    public static bool operator >=(RecordVersion a, RecordVersion b) => a.CompareTo(b) >= 0;
    public static bool operator <=(RecordVersion a, RecordVersion b) => a.CompareTo(b) <= 0;

    public override string ToString() => $"{Hlc:x}@{Origin}";
}
