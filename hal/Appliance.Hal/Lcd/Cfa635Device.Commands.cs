using System.Text;

namespace Appliance.Hal.Lcd;

public sealed partial class Cfa635Device
{
    private Cfa635Packet Execute(Cfa635Packet command)
    {
        var d = command.Data.Span;
        var ok = (Cfa635Command)command.Code switch
        {
            Cfa635Command.Ping => d.Length <= 16,
            Cfa635Command.GetVersion => d.Length == 0,
            Cfa635Command.Clear => d.Length == 0 && Do(ClearScreen),
            Cfa635Command.SetCursorPosition => d.Length == 2 && d[0] < Cfa635Protocol.Columns && d[1] < Cfa635Protocol.Rows
                && Do(() => Cursor = (command.Data.Span[0], command.Data.Span[1], Cursor.Style)),
            Cfa635Command.SetCursorStyle => d.Length == 1 && d[0] is 0 or 1 or 2 or 3 or 4
                && Do(() => Cursor = Cursor with { Style = command.Data.Span[0] }),
            Cfa635Command.SetContrast => d.Length == 1 && d[0] <= 254 && Do(() => Contrast = command.Data.Span[0]),
            Cfa635Command.SetBacklight => d.Length == 1 && d[0] <= 100 && Do(() => Backlight = command.Data.Span[0]),
            Cfa635Command.ConfigureKeyReporting => d.Length == 2 && (d[0] | d[1]) <= Cfa635Protocol.MaskAll
                && Do(() => (PressMask, ReleaseMask) = (command.Data.Span[0], command.Data.Span[1])),
            Cfa635Command.ReadKeypad => d.Length == 0,
            Cfa635Command.SendData => d.Length >= 2 && d.Length <= 2 + Cfa635Protocol.Columns
                && d[0] < Cfa635Protocol.Columns && d[1] < Cfa635Protocol.Rows && Do(() => Write(command.Data.Span)),
            Cfa635Command.SetGpio => d.Length == 2 && d[0] <= 12 && d[1] <= 100,
            _ => false,
        };
        if (!ok)
            return new Cfa635Packet((byte)(Cfa635Protocol.ErrorType | command.Code), ReadOnlyMemory<byte>.Empty);
        var data = (Cfa635Command)command.Code switch
        {
            Cfa635Command.Ping => command.Data.ToArray(),
            Cfa635Command.GetVersion => Encoding.ASCII.GetBytes(VersionText),
            Cfa635Command.ReadKeypad => new byte[3],
            _ => [],
        };
        return new Cfa635Packet((byte)(Cfa635Protocol.ResponseType | command.Code), data);
    }

    private static bool Do(Action action)
    {
        action();
        return true;
    }

    private void ClearScreen()
    {
        lock (_screenLock)
        {
            for (var r = 0; r < Cfa635Protocol.Rows; r++)
                for (var c = 0; c < Cfa635Protocol.Columns; c++)
                    _screen[r, c] = ' ';
        }
        ScreenChanged?.Invoke();
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        int col = data[0], row = data[1];
        lock (_screenLock)
        {
            // Text past the last column is dropped, as on the display.
            for (var i = 2; i < data.Length && col < Cfa635Protocol.Columns; i++, col++)
                _screen[row, col] = (char)data[i];
        }
        ScreenChanged?.Invoke();
    }
}
