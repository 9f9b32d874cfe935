using System.Text;

namespace Appliance.Hal.Lcd;

/// <summary>Fits text to one 20-column row of the display's character ROM.</summary>
public static class LcdText
{
    /// <summary>Pads or cuts to 20 columns; characters outside printable ASCII become '?'
    /// (the CFA-635 ROM diverges from ASCII above 0x7D).</summary>
    public static string Fit(string? text)
    {
        var sb = new StringBuilder(Cfa635Protocol.Columns);
        foreach (var c in text ?? "")
        {
            if (sb.Length == Cfa635Protocol.Columns)
                break;
            sb.Append(c is >= ' ' and <= '}' ? c : '?');
        }
        return sb.Append(' ', Cfa635Protocol.Columns - sb.Length).ToString();
    }

    /// <summary>Checks a row number, naming the bad value.</summary>
    public static void CheckRow(int row)
    {
        if (row is < 0 or >= Cfa635Protocol.Rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"the display has rows 0..{Cfa635Protocol.Rows - 1}");
    }

    /// <summary>A blank screen.</summary>
    public static string[] Blank() => Enumerable.Repeat(new string(' ', Cfa635Protocol.Columns), Cfa635Protocol.Rows).ToArray();
}
