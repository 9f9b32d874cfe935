using Appliance.Hal.HostServices;
using Xunit.Abstractions;

namespace Appliance.Tests.HostServices;

/// <summary>
/// DBusHostServices against a real private dbus-daemon with the fake systemd services on it.
/// </summary>
public sealed class DBusHostServicesTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("appliance-dbus-").FullName;
    private PrivateDBusDaemon? _daemon;
    private FakeHostBus? _fake;

    public DBusHostServicesTests(ITestOutputHelper output) => _output = output;

    private PrivateDBusDaemon Daemon => _daemon ?? throw new InvalidOperationException("daemon not started");

    private FakeHostBus Fake => _fake ?? throw new InvalidOperationException("fake not started");

    public async Task InitializeAsync()
    {
        _daemon = await PrivateDBusDaemon.StartAsync(_directory, Timeout);
        _output.WriteLine($"private bus at {_daemon.Address}");
        _fake = await FakeHostBus.StartAsync(_daemon.Address, Timeout);
    }

    public async Task DisposeAsync()
    {
        _fake?.Dispose();
        if (_daemon is not null)
            await _daemon.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task SetStaticHostname_arrives_at_hostname1_non_interactive()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        await host.SetStaticHostnameAsync("node-a.cluster").WaitAsync(Timeout);
        Assert.Equal(["hostname1 SetStaticHostname node-a.cluster False"], Fake.Calls);
    }

    [Fact]
    public async Task SetTimezone_arrives_at_timedate1_non_interactive()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        await host.SetTimezoneAsync("Europe/Berlin").WaitAsync(Timeout);
        Assert.Equal(["timedate1 SetTimezone Europe/Berlin False"], Fake.Calls);
    }

    [Fact]
    public async Task RestartService_sends_unit_with_replace_mode()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        await host.RestartServiceAsync("chronyd.service").WaitAsync(Timeout);
        Assert.Equal(["systemd1 RestartUnit chronyd.service replace"], Fake.Calls);
    }

    [Fact]
    public async Task Start_and_stop_send_the_unit_to_systemd_with_replace_mode()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        await host.StopServiceAsync("ssh.service").WaitAsync(Timeout);
        await host.StartServiceAsync("ssh.service").WaitAsync(Timeout);
        Assert.Equal(["systemd1 StopUnit ssh.service replace", "systemd1 StartUnit ssh.service replace"], Fake.Calls);
    }

    [Fact]
    public async Task Starting_a_unit_systemd_does_not_know_names_systemds_error()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        var error = await Assert.ThrowsAsync<HostServiceCallException>(
            () => host.StartServiceAsync(FakeHostBus.MissingUnit).WaitAsync(Timeout));
        Assert.Equal("org.freedesktop.systemd1.NoSuchUnit", error.ErrorName);
        Assert.Contains($"StartUnit {FakeHostBus.MissingUnit}", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => host.StopServiceAsync("ssh; reboot").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Reboot_goes_to_logind_not_the_unclean_systemd_reboot()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        await host.RebootAsync().WaitAsync(Timeout);
        Assert.Equal(["login1 Reboot False"], Fake.Calls);
    }

    [Fact]
    public async Task GetNtpSynchronized_reads_the_property()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        Assert.False(await host.GetNtpSynchronizedAsync().WaitAsync(Timeout));
        Fake.SetNtpSynchronizedSilently(true);
        Assert.True(await host.GetNtpSynchronizedAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task NtpSynchronized_false_to_true_is_seen_from_PropertiesChanged()
    {
        // Polling an hour apart: only the signal can deliver the change within the timeout.
        await using var host = new DBusHostServices(Daemon.SocketAddress) { NtpPollInterval = TimeSpan.FromHours(1) };
        var seen = new ValueLog();
        await using (await host.WatchNtpSynchronizedAsync(seen.Add).WaitAsync(Timeout))
        {
            Assert.Equal(new[] { false }, await seen.WaitForCountAsync(1));
            Fake.SetNtpSynchronizedAndSignal(true);
            Assert.Equal(new[] { false, true }, await seen.WaitForCountAsync(2));
        }
    }

    [Fact]
    public async Task NtpSynchronized_change_without_signal_is_seen_by_polling()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress) { NtpPollInterval = TimeSpan.FromMilliseconds(100) };
        var seen = new ValueLog();
        await using (await host.WatchNtpSynchronizedAsync(seen.Add).WaitAsync(Timeout))
        {
            Assert.Equal(new[] { false }, await seen.WaitForCountAsync(1));
            Fake.SetNtpSynchronizedSilently(true);
            Assert.Equal(new[] { false, true }, await seen.WaitForCountAsync(2));
        }
    }

    [Fact]
    public async Task Error_reply_becomes_HostServiceCallException_naming_the_error()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        var error = await Assert.ThrowsAsync<HostServiceCallException>(
            () => host.SetStaticHostnameAsync(FakeHostBus.ForbiddenHostname).WaitAsync(Timeout));
        Assert.Equal("org.freedesktop.DBus.Error.AccessDenied", error.ErrorName);
        Assert.Contains("SetStaticHostname", error.Message);
    }

    [Fact]
    public async Task Service_missing_from_bus_is_unavailable_naming_it()
    {
        Fake.Dispose(); // the bus stays, the daemons are gone
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        var error = await Assert.ThrowsAsync<HostServiceUnavailableException>(
            () => host.SetTimezoneAsync("UTC").WaitAsync(Timeout));
        _output.WriteLine(error.Message);
        Assert.Contains("org.freedesktop.timedate1 is not on the system D-Bus", error.Message);
    }

    [Fact]
    public async Task No_bus_socket_is_unavailable_and_construction_does_not_throw()
    {
        var address = $"unix:path={Path.Combine(_directory, "no-such-bus")}";
        await using var host = new DBusHostServices(address);
        var error = await Assert.ThrowsAsync<HostServiceUnavailableException>(
            () => host.SetStaticHostnameAsync("node-a").WaitAsync(Timeout));
        _output.WriteLine(error.Message);
        Assert.StartsWith($"no system D-Bus at {address}", error.Message);
        await Assert.ThrowsAsync<HostServiceUnavailableException>(() => host.WatchNtpSynchronizedAsync(_ => { }).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Socket_file_without_a_listener_is_unavailable()
    {
        var path = Path.Combine(_directory, "stale.sock");
        await File.WriteAllTextAsync(path, "");
        await using var host = new DBusHostServices($"unix:path={path}");
        var error = await Assert.ThrowsAsync<HostServiceUnavailableException>(() => host.RebootAsync().WaitAsync(Timeout));
        _output.WriteLine(error.Message);
        Assert.StartsWith("no system D-Bus at", error.Message);
    }

    [Fact]
    public async Task Bus_going_away_is_unavailable_and_a_new_bus_is_used_again()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        await host.RestartServiceAsync("a.service").WaitAsync(Timeout);
        Fake.Dispose();
        await Daemon.DisposeAsync();
        var error = await Assert.ThrowsAsync<HostServiceUnavailableException>(
            () => host.RestartServiceAsync("b.service").WaitAsync(Timeout));
        _output.WriteLine(error.Message);

        // Same address, new daemon: the client reconnects on its own.
        File.Delete(Path.Combine(_directory, "bus.sock"));
        _daemon = await PrivateDBusDaemon.StartAsync(_directory, Timeout);
        Assert.Equal(host.BusAddress, _daemon.SocketAddress);
        _fake = await FakeHostBus.StartAsync(_daemon.Address, Timeout);
        await host.RestartServiceAsync("c.service").WaitAsync(Timeout);
        Assert.Equal(["systemd1 RestartUnit c.service replace"], Fake.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-node")]
    [InlineData("node_a")]
    [InlineData("node a")]
    public async Task Bad_hostname_is_refused_before_the_bus(string hostname)
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.SetStaticHostnameAsync(hostname));
        Assert.Contains($"'{hostname}'", error.Message);
        Assert.Empty(Fake.Calls);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("Europe/ Berlin")]
    public async Task Bad_timezone_is_refused_before_the_bus(string timezone)
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        await Assert.ThrowsAsync<ArgumentException>(() => host.SetTimezoneAsync(timezone));
        Assert.Empty(Fake.Calls);
    }

    [Fact]
    public async Task Unit_name_without_suffix_is_refused()
    {
        await using var host = new DBusHostServices(Daemon.SocketAddress);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.RestartServiceAsync("chronyd"));
        Assert.Contains("chronyd", error.Message);
    }
}
