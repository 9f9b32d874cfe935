using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Ctl;
using Appliance.Daemon.Maintenance;
using Appliance.Tests.Support;

namespace Appliance.Tests.Maintenance;

/// <summary>A restore end to end on a real applianced process: check, stage, restart (execv), swap, back up.</summary>
public sealed class RestoreProcessTests
{
    [Fact]
    public async Task Real_daemon_restarts_into_the_restored_store()
    {
        using var dir = new TempDirectory();
        var socket = dir["api.sock"];
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "applianced.dll"), "--data-dir", dir["data"], "--api-socket", socket,
                     "--hal", "simulated", "--serial", "PROC-1", "--install-root", dir["opt"] })
            psi.ArgumentList.Add(a);
        using var daemon = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        daemon.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        daemon.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            await CallAsync(socket, "config.set", new JsonObject { ["path"] = "system.hostname", ["values"] = new JsonArray("alpha") });
            var name = (await CallAsync(socket, "backup.create", []))["name"]!.GetValue<string>();
            await CallAsync(socket, "config.set", new JsonObject { ["path"] = "system.hostname", ["values"] = new JsonArray("beta") });
            await CallAsync(socket, "backup.restore", new JsonObject { ["name"] = name });

            await Ports.EventuallyAsync(async () =>
            {
                try { return (await CallAsync(socket, "config.get", new JsonObject { ["path"] = "system.hostname" }, retry: false))["value"]?.ToString() == "alpha"; }
                catch (Exception e) when (e is DaemonUnreachableException or IOException or InvalidOperationException) { return false; }
            }, "the restarted daemon to show the restored host name", TimeSpan.FromSeconds(45));
            Assert.False(daemon.HasExited, $"applianced exited ({(daemon.HasExited ? daemon.ExitCode : 0)}): {output}");
            // Confirm deletes the old store, then the marker: wait for both, not for the first alone.
            await Ports.EventuallyAsync(() => Task.FromResult(!File.Exists(Path.Combine(dir["data"], RestoreSwap.BeforeName)) && !RestoreSwap.IsPending(dir["data"])),
                "the old store and the restore marker to be deleted");
            var events = await CallAsync(socket, "log.read", new JsonObject { ["log"] = "events" });
            Assert.Contains("restore complete", events.ToJsonString());
        }
        finally
        {
            if (!daemon.HasExited) daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static async Task<JsonObject> CallAsync(string socket, string cmd, JsonObject args, bool retry = true)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var client = new ApiClient(socket, "test");
                var response = await client.CallAsync(cmd, args.DeepClone().AsObject(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(response.Error is null, $"{cmd}: {response.Error?.Message}");
                return response.Result!;
            }
            catch (DaemonUnreachableException) when (retry && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }
}
