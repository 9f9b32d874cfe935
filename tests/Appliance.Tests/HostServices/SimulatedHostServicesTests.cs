using Appliance.Hal.HostServices;

namespace Appliance.Tests.HostServices;

public sealed class SimulatedHostServicesTests
{
    [Fact]
    public async Task Records_settings_and_counts_restarts_and_reboots()
    {
        var host = new SimulatedHostServices();
        await host.SetStaticHostnameAsync("node-b");
        await host.SetTimezoneAsync("Asia/Tokyo");
        await host.RestartServiceAsync("chronyd.service");
        await host.RestartServiceAsync("chronyd.service");
        await host.RebootAsync();
        Assert.Equal("node-b", host.StaticHostname);
        Assert.Equal("Asia/Tokyo", host.Timezone);
        Assert.Equal(2, host.RestartCount("chronyd.service"));
        Assert.Equal(0, host.RestartCount("sshd.service"));
        Assert.Equal(1, host.RebootCount);
    }

    [Fact]
    public async Task Ntp_watch_sees_current_value_then_changes_until_disposed()
    {
        var host = new SimulatedHostServices();
        var seen = new ValueLog();
        var watch = await host.WatchNtpSynchronizedAsync(seen.Add);
        host.NtpSynchronized = true;
        host.NtpSynchronized = true;
        Assert.Equal(new[] { false, true }, await seen.WaitForCountAsync(2));
        await watch.DisposeAsync();
        host.NtpSynchronized = false;
        Assert.True(await host.GetNtpSynchronizedAsync() == false);
        Assert.Equal(new[] { false, true }, await seen.WaitForCountAsync(2));
    }

    [Fact]
    public async Task Unavailable_reason_makes_every_call_throw_it()
    {
        var host = new SimulatedHostServices { UnavailableReason = "no system D-Bus at simulated" };
        var error = await Assert.ThrowsAsync<HostServiceUnavailableException>(() => host.RebootAsync());
        Assert.Equal("no system D-Bus at simulated", error.Message);
        Assert.Equal(0, host.RebootCount);
    }
}
