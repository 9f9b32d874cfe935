namespace Appliance.Hal.HostServices;

public sealed partial class DBusHostServices
{
    /// <inheritdoc />
    public Task StartServiceAsync(string unitName, CancellationToken cancellationToken = default) =>
        UnitJobAsync("StartUnit", unitName, cancellationToken);

    /// <inheritdoc />
    public Task StopServiceAsync(string unitName, CancellationToken cancellationToken = default) =>
        UnitJobAsync("StopUnit", unitName, cancellationToken);

    // StartUnit, StopUnit and RestartUnit share one signature: (s name, s mode) -> o job. The job
    // runs after the reply; "replace" cancels a queued opposite job instead of failing on it.
    private Task UnitJobAsync(string method, string unitName, CancellationToken cancellationToken)
    {
        HostServiceInput.UnitName(unitName);
        return CallAsync($"systemd1 {method} {unitName}", DBusNames.Systemd1, cancellationToken, connection =>
        {
            using var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(DBusNames.Systemd1, DBusNames.Systemd1Path, DBusNames.Systemd1Manager, method, "ss");
            writer.WriteString(unitName);
            writer.WriteString("replace");
            return writer.CreateMessage();
        });
    }
}
