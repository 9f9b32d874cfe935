namespace Appliance.LcdSim;

/// <summary>
/// A CFA-635 a person can drive from a terminal: serves the device side of the protocol on a pty
/// (the other end of `socat pty,... pty,...`), draws the 20x4 display and turns arrow keys, Enter
/// and Escape into key reports. With --script it runs a list of steps instead (for tests and demos).
/// </summary>
public static class Program
{
    private const string Usage = """
        usage: lcdsim [--script FILE|-] [--baud N] [--delay-ms N] DEVICE
          DEVICE        the display's end of a pty pair or serial line (e.g. /tmp/lcd/device)
          --script F    run steps from F ('-' = stdin) instead of the keyboard:
                          key up|down|left|right|enter|exit
                          wait MS
                          expect ROW TEXT   (waits up to 5 s until row ROW, trimmed, equals TEXT)
                          dump              (prints the display)
          --baud N      line speed (default 115200)
          --delay-ms N  answer every command after N ms (a slow display)
        keys: arrows, Enter, Esc; q quits.
        """;

    public static async Task<int> Main(string[] args)
    {
        string? device = null, script = null;
        var baud = 115200;
        var delay = 0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--script" when i + 1 < args.Length:
                    script = args[++i];
                    break;
                case "--baud" when i + 1 < args.Length && int.TryParse(args[i + 1], out baud):
                    i++;
                    break;
                case "--delay-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], out delay) && delay >= 0:
                    i++;
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    if (args[i].StartsWith('-') || device is not null)
                    {
                        Console.Error.WriteLine($"lcdsim: unexpected argument '{args[i]}' (or its value is missing or not a number)");
                        Console.Error.WriteLine(Usage);
                        return 2;
                    }
                    device = args[i];
                    break;
            }
        }
        if (device is null)
        {
            Console.Error.WriteLine("lcdsim: the device path is missing");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var quit = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            quit.Cancel();
        };
        var line = new SimulatorLine(device, baud, TimeSpan.FromMilliseconds(delay));
        var serving = line.RunAsync(quit.Token);
        int rc;
        if (script is not null)
        {
            using var reader = script == "-" ? Console.In : new StreamReader(script);
            rc = await new ScriptRunner(line, Console.Out).RunAsync(reader, quit.Token);
        }
        else
        {
            rc = await new TerminalUi(line).RunAsync(quit.Token);
        }
        await quit.CancelAsync();
        await Task.WhenAny(serving, Task.Delay(2000));
        return rc;
    }
}
