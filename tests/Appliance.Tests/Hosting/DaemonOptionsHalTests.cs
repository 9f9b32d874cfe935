using Appliance.Daemon.Hosting;
using Appliance.Tests.Image;

namespace Appliance.Tests.Hosting;

/// <summary>
/// The real HAL only when asked: a daemon started without --hal (by hand, a test, a benchmark) must
/// not rewrite the machine's resolv.conf; the appliance asks for it in its applianced.json.
/// </summary>
public sealed class DaemonOptionsHalTests : IDisposable
{
    private readonly string _config = Path.GetTempFileName();

    public void Dispose() => File.Delete(_config);

    [Fact]
    public void Simulated_unless_the_command_line_or_the_file_asks_for_linux()
    {
        File.WriteAllText(_config, "{}");
        Assert.Equal("simulated", DaemonOptions.Parse(["--config", _config]).Hal);
        Assert.Equal("linux", DaemonOptions.Parse(["--config", _config, "--hal", "linux"]).Hal);
        File.WriteAllText(_config, """{"hal": "linux"}""");
        Assert.Equal("linux", DaemonOptions.Parse(["--config", _config]).Hal);
    }

    [Fact]
    public void The_images_configuration_asks_for_the_linux_hal()
    {
        var imageConfig = Path.Combine(ImageBootTests.RepoRoot(), "image", "overlay", "etc", "appliance", "applianced.json");
        Assert.Equal("linux", DaemonOptions.Parse(["--config", imageConfig]).Hal);
    }
}
