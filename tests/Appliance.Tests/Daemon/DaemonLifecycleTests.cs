using System.Security.Cryptography;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>Start, stop and refusals of a real applianced process.</summary>
public class DaemonLifecycleTests
{
    [Fact(Timeout = 90_000)]
    public async Task SigTerm_StopsTheDaemon_WithinFiveSeconds_EvenWithClusterListenersOpen()
    {
        await using var d = new StandaloneDaemon(bind: true);
        await d.Daemon.StartAsync();
        await d.Daemon.SetKey(TestCluster.Key);
        await d.Daemon.SetPeers(d.Daemon.Bind!); // forms a cluster of one: 4371/4372 listen

        var took = await d.Daemon.StopAsync(TimeSpan.FromSeconds(15));

        Assert.True(took < TimeSpan.FromSeconds(5), $"SIGTERM took {took.TotalSeconds:0.0} s:\n{d.Daemon.Tail()}");
        Assert.Equal(0, d.Daemon.ExitCode);
        Assert.False(File.Exists(d.Daemon.SocketPath), "the API socket file is removed on a clean stop");
    }

    [Fact(Timeout = 90_000)]
    public async Task SecondStart_OnTheSameDataDir_IsRefused_AndTheFirstKeepsRunning()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        await using var twin = d.Twin();

        twin.Launch();
        var code = await twin.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.Equal(Appliance.Ctl.ExitCodes.Rejected, code); // README "Exit codes": refused, another daemon holds it
        Assert.Contains("locked", twin.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(d.Daemon.DataDir, twin.Output, StringComparison.Ordinal);
        Assert.True(d.Daemon.Running);
        Assert.Equal("standalone", (string?)(await d.Daemon.Api("status"))["cluster"]);
    }

    [Fact(Timeout = 90_000)]
    public async Task CorruptStoreFile_IsRefused_WithTheFileNamedAndWhatToDo_AndLeftUnchanged()
    {
        await using var d = new StandaloneDaemon();
        Directory.CreateDirectory(d.Daemon.DataDir);
        var garbage = new byte[64 * 1024];
        new Random(4372).NextBytes(garbage);
        await File.WriteAllBytesAsync(d.Daemon.StoreFile, garbage);
        var before = SHA256.HashData(garbage);

        d.Daemon.Launch();
        var code = await d.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.Equal(Appliance.Ctl.ExitCodes.Internal, code); // README "Exit codes": the store cannot be opened
        Assert.Contains(d.Daemon.StoreFile, d.Daemon.Output, StringComparison.Ordinal);
        Assert.Contains("backup restore", d.Daemon.Output, StringComparison.Ordinal); // what the operator can do
        Assert.Equal(Convert.ToHexString(before), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(d.Daemon.StoreFile))));
    }

    [Fact(Timeout = 90_000)]
    public async Task UnknownOption_IsRefused_WithUsage()
    {
        await using var d = new StandaloneDaemon(extraArgs: ["--no-such-option", "x"]);
        d.Daemon.Launch();
        var code = await d.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.Equal(Appliance.Ctl.ExitCodes.Usage, code);
        Assert.Contains("--no-such-option", d.Daemon.Output, StringComparison.Ordinal);
        Assert.Contains("usage:", d.Daemon.Output, StringComparison.Ordinal);
    }
    [Fact(Timeout = 90_000)]
    public async Task ApiSocket_IsOwnerAndGroupOnly()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();

        var mode = File.GetUnixFileMode(d.Daemon.SocketPath);
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute));
        Assert.True(mode.HasFlag(UnixFileMode.UserWrite) && mode.HasFlag(UnixFileMode.GroupWrite), mode.ToString());
    }

    [Fact(Timeout = 90_000)]
    public async Task SecondDaemon_WithAnotherDataDir_ButTheSameApiSocket_DoesNotStealTheSocketOfTheRunningOne()
    {
        await using var first = new StandaloneDaemon();
        await first.Daemon.StartAsync();
        await first.Daemon.Set("system.hostname", "first");
        await using var second = new DaemonProcess(first["other-data"], first.Daemon.SocketPath);

        second.Launch();
        await Task.WhenAny(second.WaitForExitAsync(TimeSpan.FromSeconds(40)), Task.Delay(TimeSpan.FromSeconds(8)));

        // Whatever the second one did, the socket path must still reach the first daemon.
        var host = (string?)(await first.Daemon.Api("status"))["host"];
        Assert.True(host == "first", $"the API socket now reaches another daemon (host '{host}'); second daemon: running={second.Running}\n{second.Tail()}");
    }
}
