using System.Diagnostics;
using System.Text;

namespace Appliance.Daemon.Diagnostics;

/// <summary>What a diagnostic program printed and how it ended.</summary>
public sealed record DiagnosticOutput(int? ExitCode, string Text, bool TimedOut, bool Truncated);

/// <summary>
/// Runs one diagnostic program as an argument vector (never through a shell, no PATH lookup:
/// the caller names the file), with a hard time limit and a cap on the output it keeps. The
/// arguments come from fixed shapes filled with checked values (<see cref="DiagnosticCommands"/>).
/// </summary>
public static class BoundedProcess
{
    /// <summary>The most output kept; the rest is read and dropped so the program never blocks.</summary>
    public const int MaxOutputChars = 16 * 1024;

    public static async Task<DiagnosticOutput> RunAsync(string file, IReadOnlyList<string> args, TimeSpan limit, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        var text = new StringBuilder();
        var truncated = false;
        void Keep(string? line)
        {
            if (line is null) return;
            lock (text)
            {
                if (text.Length + line.Length + 1 > MaxOutputChars) truncated = true;
                else text.Append(line).Append('\n');
            }
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        process.WaitForExit(); // the last redirected lines
        lock (text)
            return new DiagnosticOutput(timedOut ? null : process.ExitCode, text.ToString().TrimEnd('\n'), timedOut, truncated);
    }
}
