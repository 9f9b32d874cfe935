using Appliance.Hal.Lcd;

namespace Appliance.Daemon.Lcd;

/// <summary>Ethernet speed: up/down cycle a pending value, enter stores it through SetSpeed.</summary>
internal sealed class SpeedScreen(PanelModel model, MenuScreen menu) : MenuScreen(model)
{
    private int? _pending;

    public override string[] Render()
    {
        var current = Model.GetSpeed();
        var pending = PanelModel.Speeds[_pending ?? Index(current)];
        return Screen("Ethernet speed", $"Now {current}", $"Set <{pending}>", "Enter=set Exit=back");
    }

    public override MenuScreen OnKey(LcdKey key)
    {
        var n = PanelModel.Speeds.Count;
        switch (key)
        {
            case LcdKey.Up or LcdKey.Right:
                _pending = ((_pending ?? Index(Model.GetSpeed())) + 1) % n;
                return this;
            case LcdKey.Down or LcdKey.Left:
                _pending = ((_pending ?? Index(Model.GetSpeed())) + n - 1) % n;
                return this;
            case LcdKey.Exit:
                return menu;
            case LcdKey.Enter:
                var speed = PanelModel.Speeds[_pending ?? Index(Model.GetSpeed())];
                var error = Model.SetSpeed(speed);
                _pending = null;
                return error is null
                    ? new MessageScreen(Model, "Speed saved", speed, () => menu)
                    : new MessageScreen(Model, "Not saved", error, () => this);
            default:
                return this;
        }
    }

    private static int Index(string speed) => Math.Max(0, PanelModel.Speeds.ToList().IndexOf(speed));
}

/// <summary>A read-only list, one item per page (peers, alarms); up/down page, exit goes back.</summary>
internal sealed class ListScreen(PanelModel model, MenuScreen menu, string title, string empty, Func<IReadOnlyList<string[]>> items) : MenuScreen(model)
{
    private int _page;

    public static ListScreen Peers(PanelModel model, MenuScreen menu) =>
        new(model, menu, "Peers", "No peers", () => model.Peers().Select(p => (string[])[p.Name, .. Wrap(p.Status, 2)]).ToList());

    public static ListScreen Alarms(PanelModel model, MenuScreen menu) =>
        new(model, menu, "Alarms", "No alarms", () => model.Alarms().Select(a => Wrap(a, 3)).ToList());

    public override string[] Render()
    {
        var list = items();
        if (list.Count == 0)
            return Screen(title, empty, "", "Exit=back");
        _page = Math.Clamp(_page, 0, list.Count - 1);
        return Screen([$"{title} {_page + 1}/{list.Count}", .. list[_page]]);
    }

    public override MenuScreen OnKey(LcdKey key)
    {
        switch (key)
        {
            case LcdKey.Up:
                _page = Math.Max(0, _page - 1);
                return this;
            case LcdKey.Down:
                _page++; // clamped against the live list on the next render
                return this;
            case LcdKey.Exit or LcdKey.Left:
                return menu;
            default:
                return this;
        }
    }
}

/// <summary>Asks before restarting; enter restarts, exit cancels.</summary>
internal sealed class RestartScreen(PanelModel model, MenuScreen menu, MenuScreen status) : MenuScreen(model)
{
    public override string[] Render() => Screen("Restart appliance?", "", "Enter=restart", "Exit=cancel");

    public override MenuScreen OnKey(LcdKey key)
    {
        switch (key)
        {
            case LcdKey.Enter:
                Model.Restart();
                return new MessageScreen(Model, "Restarting...", "", () => status);
            case LcdKey.Exit or LcdKey.Left:
                return menu;
            default:
                return this;
        }
    }
}
