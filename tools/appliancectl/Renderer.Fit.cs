namespace Appliance.Ctl;

internal sealed partial class Renderer
{
    /// <summary>The narrowest a column is cut to (its header stays whole when shorter than this).</summary>
    private const int MinCell = 6;

    /// <summary>The narrowest the last column wraps to before other columns are cut.</summary>
    private const int MinWrapped = 20;

    /// <summary>
    /// Narrows columns until the row fits in <paramref name="room"/>; a narrowed column's cells wrap.
    /// The last column (a message, a reason) gives way first, down to <see cref="MinWrapped"/>; then
    /// the widest other columns, one step at a time, down to their header or <see cref="MinCell"/>,
    /// the first column (the row's name) last of all; then the last column again. A table that
    /// cannot fit even then keeps those widths (the terminal wraps it; --wide is no worse).
    /// </summary>
    private static void Fit(int[] widths, IReadOnlyList<string> headers, int room)
    {
        var floors = widths.Select((w, i) => Math.Min(w, Math.Max(headers[i].Length, MinCell))).ToArray();
        // The name stays whole while the other columns can make the room.
        if (widths.Length > 2 && widths[0] + floors[1..].Sum() <= room)
            floors[0] = widths[0];
        var last = widths.Length - 1;
        var others = widths[..last].Sum();
        widths[last] = Math.Max(Math.Min(widths[last], MinWrapped), Math.Min(widths[last], room - others));
        while (widths.Sum() > room)
        {
            var widest = Enumerable.Range(0, last).Where(i => widths[i] > floors[i]).OrderByDescending(i => widths[i]).FirstOrDefault(-1);
            if (widest < 0)
            {
                widths[last] = Math.Max(floors[last], room - widths[..last].Sum());
                return;
            }
            var next = Enumerable.Range(0, last).Where(i => i != widest).Select(i => widths[i]).DefaultIfEmpty(0).Max();
            // Down to the next widest column (then both shrink together), or by the excess when that is less.
            var narrower = Math.Max(floors[widest], Math.Max(next, widths[widest] - (widths.Sum() - room)));
            widths[widest] = narrower < widths[widest] ? narrower : widths[widest] - 1;
        }
    }
}
