using Appliance.Daemon.Hosting;

namespace Appliance.Tests.Hosting;

/// <summary>--test-faults is a switch (or =true/=false), testFaults in the JSON file; off by default.</summary>
public sealed class DaemonOptionsTestFaultsTests : IDisposable
{
    private readonly string _config = Path.GetTempFileName();

    public void Dispose() => File.Delete(_config);

    [Fact]
    public void Off_by_default_on_as_a_switch_or_in_the_file()
    {
        File.WriteAllText(_config, "{}");
        Assert.False(DaemonOptions.Parse(["--config", _config]).TestFaults);
        Assert.True(DaemonOptions.Parse(["--config", _config, "--test-faults", "--data-dir", "/tmp/x"]).TestFaults);
        Assert.False(DaemonOptions.Parse(["--config", _config, "--test-faults=false"]).TestFaults);
        File.WriteAllText(_config, """{"testFaults": true}""");
        Assert.True(DaemonOptions.Parse(["--config", _config]).TestFaults);
    }

    [Fact]
    public void A_value_that_is_not_a_boolean_is_named()
    {
        File.WriteAllText(_config, "{}");
        var error = Assert.Throws<OptionsException>(() => DaemonOptions.Parse(["--config", _config, "--test-faults=sometimes"]));
        Assert.Contains("--test-faults takes no value, or =true or =false, not 'sometimes'", error.Message);
    }
}
