using System.Diagnostics;

namespace Appliance.Tests.Ctl;

public class CtlProcessTests
{
    [Fact]
    public async Task BuiltBinary_TalksToTheSocket_AndReturnsTheExitCode()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("status", """{"host":"node-a","version":"1.0.0"}""");
        daemon.Fail("config.set", """{"kind":"validation","message":"not an address","field":"ipv4.gateway","value":"x"}""");

        var ok = await RunAsync("--json", "status");
        var rejected = await RunAsync("config", "set", "ipv4.gateway", "x");

        Assert.Equal(0, ok.Code);
        Assert.Equal("node-a", (string)System.Text.Json.Nodes.JsonNode.Parse(ok.Out)!["host"]!);
        Assert.Equal(2, rejected.Code);
        Assert.Contains("error: not an address", rejected.Err);

        async Task<CtlResult> RunAsync(params string[] args)
        {
            var start = StartInfo();
            start.Environment["APPLIANCE_SOCKET"] = daemon.SocketPath;
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
    }

    /// <summary>The apphost next to the tests when the SDK copied it, else `dotnet appliancectl.dll`.</summary>
    private static ProcessStartInfo StartInfo()
    {
        var dir = AppContext.BaseDirectory;
        var apphost = Path.Combine(dir, "appliancectl");
        var start = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(dir, "appliancectl.dll") } };
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return start;
    }
}
