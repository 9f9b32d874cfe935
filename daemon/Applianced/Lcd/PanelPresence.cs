using Appliance.Hal.Lcd;

namespace Appliance.Daemon.Lcd;

/// <summary>
/// Tells the event log when the front panel comes or goes: the image always starts the daemon with
/// the panel's device, plugged in or not, and the panel retries every few seconds for ever, so this
/// says one line per change of state (waiting, connected, lost), never one per retry: at most
/// two lines per check, however fast the line flaps.
/// </summary>
public sealed class PanelPresence(string device, Action<string, string> report)
{
    private enum State { Unknown, Waiting, Connected, Lost }

    private State _told = State.Unknown;
    private volatile bool _connectedSinceCheck;

    /// <summary>Hook for <see cref="IFrontPanel.ConnectionChanged"/>: a connection that is lost again
    /// before the next check was still a connection, and is told.</summary>
    public void OnConnectionChanged(bool connected)
    {
        if (connected)
            _connectedSinceCheck = true;
    }

    /// <summary>Compares the panel with what was last told and tells the difference, if any.</summary>
    public void Check(IFrontPanel panel)
    {
        var connected = panel.IsConnected;
        if (connected | _connectedSinceCheck)
        {
            _connectedSinceCheck = false;
            Tell(State.Connected, $"front panel connected on {device}", "info");
        }
        if (connected)
            return;
        // Not connected and no failure yet: the first attempt is still under way.
        if (panel.LastError is not { } why)
            return;
        if (_told == State.Connected)
            Tell(State.Lost, $"front panel lost {device} ({why}); it is used again as soon as it is back", "warning");
        else if (_told == State.Unknown)
            Tell(State.Waiting, $"front panel waiting for {device} ({why}); it is used as soon as it appears", "info");
    }

    private void Tell(State state, string message, string level)
    {
        if (_told == state)
            return;
        _told = state;
        report(message, level);
    }
}
