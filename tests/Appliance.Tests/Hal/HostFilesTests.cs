using System.Net;
using Appliance.Hal;

namespace Appliance.Tests.Hal;

public sealed class HostFilesTests
{
    [Fact]
    public async Task Resolv_conf_and_timesyncd_drop_in_are_written_exactly()
    {
        using var dir = new HalTempDir();
        var files = new LinuxHostFiles(dir["etc/resolv.conf"], dir["etc/systemd/timesyncd.conf.d/50-appliance.conf"]);
        await files.WriteDnsAsync(new DnsSettings("corp.example", [IPAddress.Parse("198.18.0.53"), IPAddress.Parse("198.18.1.53")]))
            .WaitAsync(Host.Unexpected);
        await files.WriteNtpAsync(["ntp1.corp.example", "198.18.0.123"]).WaitAsync(Host.Unexpected);

        Assert.Equal(
            "# Written by applianced; local changes are overwritten.\nsearch corp.example\nnameserver 198.18.0.53\nnameserver 198.18.1.53\n",
            await File.ReadAllTextAsync(dir["etc/resolv.conf"]));
        Assert.Equal(
            "# Written by applianced; local changes are overwritten.\n[Time]\nNTP=ntp1.corp.example 198.18.0.123\n",
            await File.ReadAllTextAsync(dir["etc/systemd/timesyncd.conf.d/50-appliance.conf"]));
        // The atomic write leaves no temp file behind.
        Assert.Equal(["resolv.conf"], Directory.GetFileSystemEntries(dir["etc"], "*", SearchOption.TopDirectoryOnly)
            .Where(File.Exists).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Rewrite_replaces_the_whole_file()
    {
        using var dir = new HalTempDir();
        var files = new LinuxHostFiles(dir["resolv.conf"], dir["ntp.conf"]);
        await File.WriteAllTextAsync(dir["resolv.conf"], new string('x', 10_000));
        await files.WriteDnsAsync(new DnsSettings(null, [IPAddress.Parse("198.18.0.53")])).WaitAsync(Host.Unexpected);
        Assert.Equal("# Written by applianced; local changes are overwritten.\nnameserver 198.18.0.53\n", await File.ReadAllTextAsync(dir["resolv.conf"]));
        await files.WriteNtpAsync([]).WaitAsync(Host.Unexpected);
        Assert.EndsWith("[Time]\nNTP=\n", await File.ReadAllTextAsync(dir["ntp.conf"]));
    }

    [Fact]
    public void Bad_names_are_refused_naming_the_value()
    {
        Assert.Contains("'bad domain'", Assert.Throws<ArgumentException>(() =>
            HostFileRenderer.ResolvConf(new DnsSettings("bad domain", []))).Message);
        Assert.Contains("NTP server 'ntp\nevil'", Assert.Throws<ArgumentException>(() =>
            HostFileRenderer.TimesyncdDropIn(["ntp\nevil"])).Message);
    }

    [Fact]
    public async Task Simulated_host_files_keep_the_content()
    {
        var files = new SimulatedHostFiles();
        await files.WriteDnsAsync(new DnsSettings("lab", [IPAddress.Parse("198.18.0.53")]));
        await files.WriteNtpAsync(["198.18.0.123"]);
        Assert.Contains("search lab\nnameserver 198.18.0.53\n", files.ResolvConf);
        Assert.EndsWith("[Time]\nNTP=198.18.0.123\n", files.TimesyncdDropIn);
    }
}
