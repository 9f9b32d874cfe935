using Appliance.Hal.Lcd;

namespace Appliance.Daemon.Lcd;

/// <summary>
/// The resting screen: host, LAN address, cluster state, alarm count. Enter opens the menu. A build
/// that trusts the TEST vendor key says so at the right of the alarm row, where it is always seen.
/// While a network change waits for `config confirm`, that row counts down to its revert instead
/// (the alarms stay in their menu): whoever stands at the box sees why the address may change back.
/// </summary>
internal sealed class StatusScreen(PanelModel model) : MenuScreen(model)
{
    private const string TestKeyMarker = "TEST KEY";

    public override string[] Render()
    {
        var s = Model.Status();
        var alarms = s.AlarmCount == 1 ? "1 alarm" : $"{s.AlarmCount} alarms";
        if (s.TestVendorKey)
            alarms = alarms.PadRight(Cfa635Protocol.Columns - TestKeyMarker.Length - 1) + " " + TestKeyMarker;
        if (s.NetworkConfirmLeft is { } left)
            alarms = $"Unconfirmed net {Math.Ceiling(left.TotalSeconds):0}s";
        return Screen(s.HostName, $"LAN {(s.LanAddress.Length > 0 ? s.LanAddress : "no address")}", $"Cluster {s.Cluster}", alarms);
    }

    public override MenuScreen OnKey(LcdKey key) => key == LcdKey.Enter ? new MainMenuScreen(Model, this) : this;
}

/// <summary>The list of menus; up/down choose, enter opens, exit returns to status.</summary>
internal sealed class MainMenuScreen(PanelModel model, MenuScreen status) : MenuScreen(model)
{
    private static readonly string[] Items = ["LAN IPv4", "Ethernet speed", "Peers", "Alarms", "Restart"];
    private int _selected;

    public override string[] Render()
    {
        // The window keeps the selection visible: 5 items on 4 rows.
        var top = Math.Clamp(_selected - (Cfa635Protocol.Rows - 1), 0, Items.Length - Cfa635Protocol.Rows);
        var lines = new string[Cfa635Protocol.Rows];
        for (var r = 0; r < lines.Length; r++)
        {
            var i = top + r;
            lines[r] = (i == _selected ? ">" : " ") + Items[i];
        }
        return lines;
    }

    public override MenuScreen OnKey(LcdKey key)
    {
        switch (key)
        {
            case LcdKey.Up:
                _selected = Math.Max(0, _selected - 1);
                return this;
            case LcdKey.Down:
                _selected = Math.Min(Items.Length - 1, _selected + 1);
                return this;
            case LcdKey.Exit or LcdKey.Left:
                return status;
            case LcdKey.Enter or LcdKey.Right:
                return _selected switch
                {
                    0 => new Ipv4ViewScreen(Model, this),
                    1 => new SpeedScreen(Model, this),
                    2 => ListScreen.Peers(Model, this),
                    3 => ListScreen.Alarms(Model, this),
                    _ => new RestartScreen(Model, this, status),
                };
            default:
                return this;
        }
    }
}
