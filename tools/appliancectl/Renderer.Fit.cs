namespace Appliance.Ctl;

internal sealed partial class Renderer
{
    /// <summary>The narrowest a column is cut to (its header stays whole when shorter than this).</summary>
    private const int MinCell = 6;

    /// <summary>Narrows the widest columns, one step at a time, until the row fits in
    /// <paramref name="room"/>; no column goes below its header or <see cref="MinCell"/>. A table
    /// that cannot fit even then keeps those widths (the terminal wraps it; --wide is no worse).</summary>
    private static void Fit(int[] widths, IReadOnlyList<string> headers, int room)
    {
        var floors = widths.Select((w, i) => Math.Min(w, Math.Max(headers[i].Length, MinCell))).ToArray();
        while (widths.Sum() > room)
        {
            var widest = Enumerable.Range(0, widths.Length).Where(i => widths[i] > floors[i]).OrderByDescending(i => widths[i]).FirstOrDefault(-1);
            if (widest < 0)
                return;
            var next = Enumerable.Range(0, widths.Length).Where(i => i != widest).Select(i => widths[i]).DefaultIfEmpty(0).Max();
            var excess = widths.Sum() - room;
            // Down to the next widest column (then both shrink together), or by the excess when that is less.
            widths[widest] = Math.Max(floors[widest], Math.Max(next, widths[widest] - excess));
            if (widths[widest] == next && next > floors[widest] && widths.Count(w => w == next) > 1)
                widths[widest]--;
        }
    }
}
