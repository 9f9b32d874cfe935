using Appliance.Daemon.Hosting;

namespace Appliance.Tests.Hosting;

/// <summary>The network confirm window's length is held to 5-3600 s from the command line and from applianced.json alike.</summary>
public sealed class DaemonOptionsNetworkWindowTests : IDisposable
{
    private readonly string _config = Path.GetTempFileName();

    public void Dispose() => File.Delete(_config);

    [Theory]
    [InlineData("""{"networkConfirmSeconds": 1}""", new string[0])]
    [InlineData("""{"networkConfirmSeconds": 86400}""", new string[0])]
    [InlineData("{}", new[] { "--network-confirm-seconds", "2" })]
    public void A_length_outside_5_to_3600_seconds_is_refused_naming_the_option(string file, string[] args)
    {
        File.WriteAllText(_config, file);
        var error = Assert.Throws<OptionsException>(() => DaemonOptions.Parse(["--config", _config, .. args]));
        Assert.Contains("networkConfirmSeconds", error.Message);
    }

    [Fact]
    public void The_file_and_the_command_line_set_it()
    {
        File.WriteAllText(_config, """{"networkConfirmSeconds": 120}""");
        Assert.Equal(120, DaemonOptions.Parse(["--config", _config]).NetworkConfirmSeconds);
        Assert.Equal(30, DaemonOptions.Parse(["--config", _config, "--network-confirm-seconds", "30"]).NetworkConfirmSeconds);
    }
}
