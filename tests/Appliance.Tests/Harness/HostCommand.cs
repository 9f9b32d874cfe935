using System.Diagnostics;

namespace Appliance.Tests.Harness;

/// <summary>
/// Runs the host tools the harness drives (ip, nft) and fails loudly: a harness step that did not
/// happen must stop the test with the command and its stderr, not leave it to time out later.
/// </summary>
public static class HostCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var result = await TryRunAsync(file, args, stdin, timeout).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new HarnessException($"'{result.CommandLine}' failed with exit code {result.ExitCode}: {result.Stderr.Trim()}");
        return result.Stdout;
    }

    /// <summary>For cleanup: a failure is reported in the result, never thrown.</summary>
    public static async Task<CommandResult> TryRunAsync(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        var commandLine = $"{file} {string.Join(' ', info.ArgumentList)}";
        using var process = Process.Start(info) ?? throw new HarnessException($"could not start '{commandLine}'");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new HarnessException($"'{commandLine}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
        }
        return new CommandResult(commandLine, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static Task<string> Ip(params string[] args) => RunAsync("ip", args);

    /// <summary>Loads an nft script inside a namespace (atomic: all of it or nothing).</summary>
    public static Task<string> NftAsync(string ns, string script) => RunAsync("ip", ["netns", "exec", ns, "nft", "-f", "-"], script);
}

public sealed record CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr);

public sealed class HarnessException(string message) : Exception(message);
