namespace Appliance.Hal.HostServices;

/// <summary>Bus names, object paths and interfaces of the systemd daemons we call.</summary>
internal static class DBusNames
{
    public const string Hostname1 = "org.freedesktop.hostname1";
    public const string Hostname1Path = "/org/freedesktop/hostname1";

    public const string Timedate1 = "org.freedesktop.timedate1";
    public const string Timedate1Path = "/org/freedesktop/timedate1";
    public const string NtpSynchronized = "NTPSynchronized";

    public const string Systemd1 = "org.freedesktop.systemd1";
    public const string Systemd1Path = "/org/freedesktop/systemd1";
    public const string Systemd1Manager = "org.freedesktop.systemd1.Manager";

    public const string Login1 = "org.freedesktop.login1";
    public const string Login1Path = "/org/freedesktop/login1";
    public const string Login1Manager = "org.freedesktop.login1.Manager";

    public const string Properties = "org.freedesktop.DBus.Properties";

    // Error replies from the bus itself meaning "nobody owns that name": the daemon is not running
    // and (on a test bus, or with activation off) will not be started for us.
    public const string ErrorServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown";
    public const string ErrorNameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";
}
