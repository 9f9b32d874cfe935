using Appliance.Hal.Lcd;

namespace Appliance.LcdSim;

/// <summary>Draws the display in the terminal and maps keys: arrows, Enter, Escape (q quits).</summary>
internal sealed class TerminalUi(SimulatorLine line)
{
    private readonly object _drawLock = new();

    public async Task<int> RunAsync(CancellationToken quit)
    {
        if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine("lcdsim: standard input is not a terminal; use --script for non-interactive runs");
            return 2;
        }
        Console.Clear();
        Console.CursorVisible = false;
        line.Changed += Draw;
        Draw();
        try
        {
            while (!quit.IsCancellationRequested)
            {
                if (!Console.KeyAvailable)
                {
                    await Task.Delay(20, CancellationToken.None);
                    continue;
                }
                var info = Console.ReadKey(intercept: true);
                LcdKey? key = info.Key switch
                {
                    ConsoleKey.UpArrow => LcdKey.Up,
                    ConsoleKey.DownArrow => LcdKey.Down,
                    ConsoleKey.LeftArrow => LcdKey.Left,
                    ConsoleKey.RightArrow => LcdKey.Right,
                    ConsoleKey.Enter => LcdKey.Enter,
                    ConsoleKey.Escape or ConsoleKey.Backspace => LcdKey.Exit,
                    _ => null,
                };
                if (info.KeyChar is 'q' or 'Q')
                    break;
                if (key is { } k)
                    await line.PressAsync(k, quit);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            line.Changed -= Draw;
            Console.CursorVisible = true;
            Console.WriteLine();
        }
        return 0;
    }

    private void Draw()
    {
        lock (_drawLock)
        {
            Console.SetCursorPosition(0, 0);
            Console.WriteLine("CFA-635 simulator".PadRight(40));
            Console.WriteLine(SimulatorLine.Box(line.Lines));
            Console.WriteLine(line.Status.PadRight(60));
            Console.WriteLine("arrows/Enter/Esc = keypad, q = quit".PadRight(40));
        }
    }
}
