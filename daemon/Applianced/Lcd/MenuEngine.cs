using Appliance.Hal.Lcd;

namespace Appliance.Daemon.Lcd;

/// <summary>
/// The panel's state machine: the current screen, keys moving between screens, and the rows to
/// show. Knows nothing of the display or the store: the model's delegates are its whole world.
/// </summary>
public sealed class MenuEngine
{
    private readonly PanelModel _model;
    private readonly StatusScreen _status;
    private MenuScreen _current;

    /// <summary>Starts on the status screen.</summary>
    public MenuEngine(PanelModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _status = new StatusScreen(model);
        _current = _status;
    }

    /// <summary>Name of the current screen (for logs and tests).</summary>
    public string CurrentScreen => _current.GetType().Name;

    /// <summary>The four rows to show now; "Panel disabled" when the setting is off.</summary>
    public string[] Render()
    {
        try
        {
            if (!_model.Enabled())
                return ["Panel disabled", "", "", ""];
            return _current.Render();
        }
        catch (Exception e)
        {
            // A failing store read must not take the panel down; show why and let Exit recover.
            return ["Panel error", .. MenuScreen.Wrap(e.Message, 3)];
        }
    }

    /// <summary>Acts on a key press; ignored while the panel is disabled.</summary>
    public void HandleKey(LcdKey key)
    {
        try
        {
            if (!_model.Enabled())
            {
                _current = _status;
                return;
            }
            _current = _current.OnKey(key);
        }
        catch (Exception e)
        {
            _current = new MessageScreen(_model, "Panel error", e.Message, () => _status);
        }
    }

    /// <summary>Back to the status screen (after the panel was left alone).</summary>
    public void ReturnToStatus() => _current = _status;
}
