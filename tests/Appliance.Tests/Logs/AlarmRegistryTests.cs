using Appliance.Daemon.Logs;

namespace Appliance.Tests.Logs;

public sealed class AlarmRegistryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alarm-registry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_measurement_updating_an_active_alarm_changes_its_text_but_logs_only_the_raise_and_the_lower()
    {
        var events = new JsonLinesLog("events", _dir, 1 << 20);
        var alarms = new AlarmRegistry(events, TimeProvider.System);

        alarms.Raise("peer-rtt:198.18.0.12", AlarmRegistry.Warning, "round trip is 31 ms");
        alarms.Raise("peer-rtt:198.18.0.12", AlarmRegistry.Warning, "round trip is 35 ms");
        alarms.Raise("peer-rtt:198.18.0.12", AlarmRegistry.Warning, "round trip is 40 ms");
        Assert.Equal("round trip is 40 ms", Assert.Single(alarms.Active()).Text);
        alarms.Raise("peer-rtt:198.18.0.12", AlarmRegistry.Error, "round trip is 900 ms");
        alarms.Lower("peer-rtt:198.18.0.12");

        Assert.Equal(
            ["alarm raised: peer-rtt:198.18.0.12: round trip is 31 ms",
             "alarm raised: peer-rtt:198.18.0.12: round trip is 900 ms",
             "alarm lowered: peer-rtt:198.18.0.12: round trip is 900 ms"],
            events.Read().Select(e => e.Message));
    }
}
