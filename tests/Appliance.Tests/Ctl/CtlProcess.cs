using System.Diagnostics;

namespace Appliance.Tests.Ctl;

/// <summary>The built appliancectl as a separate process with stdin closed (not a terminal), as a script runs it.</summary>
internal static class CtlProcess
{
    public static async Task<CtlResult> RunAsync(string socketPath, params string[] args)
    {
        var start = StartInfo();
        start.Environment["APPLIANCE_SOCKET"] = socketPath;
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        return new CtlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The apphost next to the tests when the SDK copied it, else `dotnet appliancectl.dll`.</summary>
    private static ProcessStartInfo StartInfo()
    {
        var command = Command();
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in command.Skip(1))
            start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>The words that start appliancectl (for a terminal to run it too).</summary>
    public static IReadOnlyList<string> Command(params string[] args)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "appliancectl");
        return File.Exists(apphost) ? [apphost, .. args] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "appliancectl.dll"), .. args];
    }
}
