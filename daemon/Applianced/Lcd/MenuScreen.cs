using Appliance.Hal.Lcd;

namespace Appliance.Daemon.Lcd;

/// <summary>One 20x4 screen of the menu: draws itself from the model and says where a key leads.</summary>
internal abstract class MenuScreen(PanelModel model)
{
    protected PanelModel Model { get; } = model;

    /// <summary>Four rows (fitted to 20 columns by the panel).</summary>
    public abstract string[] Render();

    /// <summary>The screen to show after <paramref name="key"/>; this one to stay.</summary>
    public abstract MenuScreen OnKey(LcdKey key);

    /// <summary>Wraps text over up to <paramref name="rows"/> rows of 20 columns, breaking at spaces where it can.</summary>
    public static string[] Wrap(string text, int rows)
    {
        var result = new List<string>();
        var rest = (text ?? "").Trim();
        const int width = Cfa635Protocol.Columns;
        while (rest.Length > 0 && result.Count < rows)
        {
            if (rest.Length <= width)
            {
                result.Add(rest);
                break;
            }
            var cut = rest.LastIndexOf(' ', width);
            if (cut <= 0)
                cut = width;
            result.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        while (result.Count < rows)
            result.Add("");
        return [.. result];
    }

    protected static string[] Screen(params string[] rows)
    {
        var lines = new string[Cfa635Protocol.Rows];
        for (var r = 0; r < lines.Length; r++)
            lines[r] = r < rows.Length ? rows[r] : "";
        return lines;
    }
}

/// <summary>Shows a message (a result or an error) until any key, then goes to <paramref name="next"/>.</summary>
internal sealed class MessageScreen(PanelModel model, string title, string text, Func<MenuScreen> next) : MenuScreen(model)
{
    public override string[] Render() => [title, .. Wrap(text, 3)];

    public override MenuScreen OnKey(LcdKey key) => next();
}
