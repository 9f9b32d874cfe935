using System.Diagnostics;

namespace Appliance.Hal;

/// <summary>The outcome of a finished external command.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StandardOutput">Everything the command wrote to standard output.</param>
/// <param name="StandardError">Everything the command wrote to standard error.</param>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Thrown when a host tool (ip, nft) fails; the message names the command and its error text.</summary>
public sealed class HostCommandException : Exception
{
    /// <summary>Creates the exception for a failed command.</summary>
    /// <param name="message">What failed, including the command line and its stderr.</param>
    public HostCommandException(string message) : base(message)
    {
    }
}

/// <summary>Runs host tools without a shell, so no argument is ever interpreted.</summary>
internal static class ProcessRunner
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<CommandResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
            psi.ArgumentList.Add(a);

        using var process = Process.Start(psi)
            ?? throw new HostCommandException($"could not start '{fileName}'");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new HostCommandException($"'{Describe(fileName, arguments)}' did not finish within {DefaultTimeout.TotalSeconds} s");
        }

        return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs and throws a <see cref="HostCommandException"/> naming the command when it exits non-zero.</summary>
    public static async Task<string> RunCheckedAsync(
        string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var r = await RunAsync(fileName, arguments, cancellationToken, standardInput).ConfigureAwait(false);
        if (r.ExitCode != 0)
            throw new HostCommandException(
                $"'{Describe(fileName, arguments)}' failed with exit code {r.ExitCode}: {r.StandardError.Trim()}");
        return r.StandardOutput;
    }

    public static string Describe(string fileName, IReadOnlyList<string> arguments) =>
        fileName + " " + string.Join(' ', arguments);
}
