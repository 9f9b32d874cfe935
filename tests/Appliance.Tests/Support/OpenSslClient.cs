using System.Diagnostics;

namespace Appliance.Tests.Support;

/// <summary>
/// `openssl s_client` against a TLS server: a client nobody here wrote, which can offer what .NET's
/// own client will not (TLS 1.0, CBC suites), so a refusal is seen to be the server's.
/// </summary>
public static class OpenSslClient
{
    /// <summary>Connects to <paramref name="hostPort"/> with <paramref name="args"/>; the exit code and stdout+stderr.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string hostPort, params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "s_client", "-connect", hostPort }.Concat(args)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (TimeoutException) { process.Kill(); throw; }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>True when the server refused the handshake for its protocol version (the client offered it at SECLEVEL=0).</summary>
    public static bool RefusedVersion(string output) => output.Contains("alert protocol version") && output.Contains("Cipher is (NONE)");
}
