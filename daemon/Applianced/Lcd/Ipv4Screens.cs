using Appliance.Hal.Lcd;

namespace Appliance.Daemon.Lcd;

/// <summary>Shows the LAN IPv4 settings; enter starts editing them.</summary>
internal sealed class Ipv4ViewScreen(PanelModel model, MenuScreen menu) : MenuScreen(model)
{
    public override string[] Render()
    {
        var s = Model.GetIpv4();
        return Screen($"IP {s.Address}", $"NM {s.Mask}", $"GW {s.Gateway}", "Enter=edit Exit=back");
    }

    public override MenuScreen OnKey(LcdKey key) => key switch
    {
        LcdKey.Enter => Ipv4EditScreen.Start(Model, this),
        LcdKey.Exit or LcdKey.Left => menu,
        _ => this,
    };
}

/// <summary>
/// Edits address, mask and gateway in turn, digit by digit on a zero-padded quad (192.168.001.010):
/// left/right move the cursor, up/down change the digit, enter goes to the next field (after the
/// gateway: stores through SetIpv4), exit goes back a field (from the address: abandons the edit).
/// </summary>
internal sealed class Ipv4EditScreen : MenuScreen
{
    private static readonly string[] Titles = ["Address", "Mask", "Gateway"];
    private readonly MenuScreen _view;
    private readonly char[][] _fields;
    private int _field;
    private int _digit;

    private Ipv4EditScreen(PanelModel model, MenuScreen view, char[][] fields) : base(model)
    {
        _view = view;
        _fields = fields;
    }

    public static Ipv4EditScreen Start(PanelModel model, MenuScreen view)
    {
        var s = model.GetIpv4();
        return new Ipv4EditScreen(model, view, [Pad(s.Address), Pad(s.Mask), Pad(s.Gateway)]);
    }

    public override string[] Render()
    {
        var caret = new string(' ', Column(_digit)) + "^";
        return Screen($"{Titles[_field]} ({_field + 1}/3)", new string(_fields[_field]), caret, _field < 2 ? "Enter=next Exit=back" : "Enter=save Exit=back");
    }

    public override MenuScreen OnKey(LcdKey key)
    {
        var text = _fields[_field];
        switch (key)
        {
            case LcdKey.Left:
                _digit = Math.Max(0, _digit - 1);
                return this;
            case LcdKey.Right:
                _digit = Math.Min(11, _digit + 1);
                return this;
            case LcdKey.Up or LcdKey.Down:
                var col = Column(_digit);
                var d = text[col] - '0';
                text[col] = (char)('0' + ((d + (key == LcdKey.Up ? 1 : 9)) % 10));
                return this;
            case LcdKey.Exit:
                if (_field == 0)
                    return _view;
                _field--;
                _digit = 0;
                return this;
            case LcdKey.Enter:
                if (Check(new string(text)) is { } error)
                    return new MessageScreen(Model, $"Bad {Titles[_field].ToLowerInvariant()}", error, () => this);
                if (_field < 2)
                {
                    _field++;
                    _digit = 0;
                    return this;
                }
                return Save();
            default:
                return this;
        }
    }

    private MenuScreen Save()
    {
        var settings = new PanelIpv4Settings(Unpad(_fields[0]), Unpad(_fields[1]), Unpad(_fields[2]));
        var error = Model.SetIpv4(settings);
        if (error is null)
            return new MessageScreen(Model, "IPv4 saved", $"{settings.Address} / {settings.Mask} gw {settings.Gateway}", () => _view);
        // Back to the address with the edited values kept, so one wrong field is quick to fix.
        _field = 0;
        _digit = 0;
        return new MessageScreen(Model, "Not saved", error, () => this);
    }

    // Digits sit in columns 0-2, 4-6, 8-10, 12-14.
    private static int Column(int digit) => digit + digit / 3;

    private static char[] Pad(string? dotted)
    {
        var parts = (dotted ?? "").Split('.');
        var octets = new int[4];
        if (parts.Length == 4)
            for (var i = 0; i < 4; i++)
                octets[i] = int.TryParse(parts[i], out var v) && v is >= 0 and <= 255 ? v : 0;
        return string.Join('.', octets.Select(o => o.ToString("000", System.Globalization.CultureInfo.InvariantCulture))).ToCharArray();
    }

    private static string Unpad(char[] padded) =>
        string.Join('.', new string(padded).Split('.').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)));

    private static string? Check(string padded)
    {
        var parts = padded.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var v = int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture);
            if (v > 255)
                return $"part {i + 1} is {v}; the largest is 255";
        }
        return null;
    }
}
