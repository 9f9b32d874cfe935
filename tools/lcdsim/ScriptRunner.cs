using System.Globalization;
using Appliance.Hal.Lcd;

namespace Appliance.LcdSim;

/// <summary>Runs simulator steps from a text (key, wait, expect, dump); a failed expect ends the run with exit code 1.</summary>
internal sealed class ScriptRunner(SimulatorLine line, TextWriter output)
{
    private static readonly TimeSpan ExpectTimeout = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(TextReader script, CancellationToken cancellationToken)
    {
        var number = 0;
        while (await script.ReadLineAsync(cancellationToken) is { } text)
        {
            number++;
            var step = text.Trim();
            if (step.Length == 0 || step.StartsWith('#'))
                continue;
            var parts = step.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            var error = parts[0] switch
            {
                "key" when parts.Length == 2 && Enum.TryParse<LcdKey>(parts[1], ignoreCase: true, out var key) && Enum.IsDefined(key) =>
                    await Press(key, cancellationToken),
                "wait" when parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) =>
                    await Wait(ms, cancellationToken),
                "expect" when parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var row) && row < Cfa635Protocol.Rows =>
                    await Expect(row, parts.Length == 3 ? parts[2].Trim() : "", cancellationToken),
                "dump" => Dump(),
                "quit" => "",
                _ => $"cannot understand '{step}'",
            };
            if (error == "")
                break;
            if (error is not null)
            {
                await output.WriteLineAsync($"lcdsim: script line {number}: {error}");
                Dump();
                return 1;
            }
        }
        return 0;
    }

    private async Task<string?> Press(LcdKey key, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ExpectTimeout;
        while (!line.IsOpen && DateTime.UtcNow < deadline)
            await Task.Delay(50, cancellationToken);
        if (!line.IsOpen)
            return $"line not open ({line.Status}); cannot press {key}";
        await line.PressAsync(key, cancellationToken);
        return null;
    }

    private static async Task<string?> Wait(int ms, CancellationToken cancellationToken)
    {
        await Task.Delay(ms, cancellationToken);
        return null;
    }

    private async Task<string?> Expect(int row, string text, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ExpectTimeout;
        while (true)
        {
            var actual = line.Lines[row].Trim();
            if (actual == text)
                return null;
            if (DateTime.UtcNow > deadline)
                return $"row {row} shows '{actual}', expected '{text}'";
            await Task.Delay(50, cancellationToken);
        }
    }

    private string? Dump()
    {
        output.WriteLine(SimulatorLine.Box(line.Lines));
        return null;
    }
}
