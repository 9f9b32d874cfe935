using Tmds.DBus.Protocol;

namespace Appliance.Tests.HostServices;

/// <summary>
/// Stands in for hostnamed, timedated, systemd and logind on a private bus: owns their names,
/// answers the methods the appliance calls, records each call as a line, and serves
/// NTPSynchronized through Properties.Get and PropertiesChanged.
/// </summary>
internal sealed class FakeHostBus : IDisposable
{
    private readonly DBusConnection _connection;
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];
    private volatile bool _ntpSynchronized;

    private FakeHostBus(DBusConnection connection) => _connection = connection;

    /// <summary>Calls received, e.g. "hostname1 SetStaticHostname node-a False".</summary>
    public IReadOnlyList<string> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    /// <summary>A unit the fake's systemd does not know, as systemd answers for an uninstalled package.</summary>
    public const string MissingUnit = "missing.service";

    /// <summary>A hostname the fake refuses with AccessDenied, to exercise error replies.</summary>
    public const string ForbiddenHostname = "forbidden";

    public static async Task<FakeHostBus> StartAsync(string address, TimeSpan timeout)
    {
        var connection = new DBusConnection(address);
        var fake = new FakeHostBus(connection);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(timeout);
            connection.AddMethodHandlers([
                new PathHandler("/org/freedesktop/hostname1", fake.HandleHostname),
                new PathHandler("/org/freedesktop/timedate1", fake.HandleTimedate),
                new PathHandler("/org/freedesktop/systemd1", fake.HandleSystemd),
                new PathHandler("/org/freedesktop/login1", fake.HandleLogin),
            ]);
            foreach (var name in new[] { "org.freedesktop.hostname1", "org.freedesktop.timedate1",
                         "org.freedesktop.systemd1", "org.freedesktop.login1" })
                await connection.RequestNameAsync(name, RequestNameOptions.Default).WaitAsync(timeout);
            return fake;
        }
        catch
        {
            fake.Dispose();
            throw;
        }
    }

    /// <summary>Changes NTPSynchronized and announces it with PropertiesChanged, as timedated does.</summary>
    public void SetNtpSynchronizedAndSignal(bool value)
    {
        _ntpSynchronized = value;
        using var writer = _connection.GetMessageWriter();
        writer.WriteSignalHeader(null, "/org/freedesktop/timedate1", "org.freedesktop.DBus.Properties",
            "PropertiesChanged", "sa{sv}as");
        writer.WriteString("org.freedesktop.timedate1");
        var changed = writer.WriteDictionaryStart();
        writer.WriteDictionaryEntryStart();
        writer.WriteString("NTPSynchronized");
        writer.WriteVariantBool(value);
        writer.WriteDictionaryEnd(changed);
        var invalidated = writer.WriteArrayStart(DBusType.String);
        writer.WriteArrayEnd(invalidated);
        Assert.True(_connection.TrySendMessage(writer.CreateMessage()), "fake could not send PropertiesChanged");
    }

    /// <summary>Changes NTPSynchronized without a signal, as when the kernel's sync state flips.</summary>
    public void SetNtpSynchronizedSilently(bool value) => _ntpSynchronized = value;

    public void Dispose() => _connection.Dispose();

    private bool HandleHostname(MethodContext context, Reader reader)
    {
        if (context.Request.MemberAsString != "SetStaticHostname")
            return false;
        var hostname = reader.ReadString();
        var interactive = reader.ReadBool();
        Record($"hostname1 SetStaticHostname {hostname} {interactive}");
        if (hostname == ForbiddenHostname)
            context.ReplyError("org.freedesktop.DBus.Error.AccessDenied", "not allowed to set that hostname");
        else
            ReplyEmpty(context);
        return true;
    }

    private bool HandleTimedate(MethodContext context, Reader reader)
    {
        var member = context.Request.MemberAsString;
        if (context.Request.InterfaceAsString == "org.freedesktop.DBus.Properties" && member == "Get")
        {
            var iface = reader.ReadString();
            var property = reader.ReadString();
            if (iface != "org.freedesktop.timedate1" || property != "NTPSynchronized")
            {
                context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", $"{iface}.{property}");
                return true;
            }
            using var writer = context.CreateReplyWriter("v");
            writer.WriteVariantBool(_ntpSynchronized);
            context.Reply(writer.CreateMessage());
            return true;
        }
        if (member != "SetTimezone")
            return false;
        var timezone = reader.ReadString();
        var interactive = reader.ReadBool();
        Record($"timedate1 SetTimezone {timezone} {interactive}");
        ReplyEmpty(context);
        return true;
    }

    private bool HandleSystemd(MethodContext context, Reader reader)
    {
        var member = context.Request.MemberAsString;
        if (member is "RestartUnit" or "StartUnit" or "StopUnit")
        {
            var unit = reader.ReadString();
            var mode = reader.ReadString();
            Record($"systemd1 {member} {unit} {mode}");
            if (unit == MissingUnit)
            {
                context.ReplyError("org.freedesktop.systemd1.NoSuchUnit", $"Unit {unit} not found.");
                return true;
            }
            using var writer = context.CreateReplyWriter("o");
            writer.WriteObjectPath("/org/freedesktop/systemd1/job/1");
            context.Reply(writer.CreateMessage());
            return true;
        }
        if (member == "Reboot")
        {
            // The unclean reboot; recorded so a test can prove it is never used.
            Record("systemd1 Reboot");
            ReplyEmpty(context);
            return true;
        }
        return false;
    }

    private bool HandleLogin(MethodContext context, Reader reader)
    {
        if (context.Request.MemberAsString != "Reboot")
            return false;
        Record($"login1 Reboot {reader.ReadBool()}");
        ReplyEmpty(context);
        return true;
    }

    private void Record(string call)
    {
        lock (_gate)
            _calls.Add(call);
    }

    private static void ReplyEmpty(MethodContext context)
    {
        if (context.NoReplyExpected)
            return;
        using var writer = context.CreateReplyWriter(null);
        context.Reply(writer.CreateMessage());
    }

    private delegate bool Handle(MethodContext context, Reader reader);

    private sealed class PathHandler(string path, Handle handle) : IPathMethodHandler
    {
        public string Path => path;

        public bool HandlesChildPaths => false;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            if (!handle(context, context.Request.GetBodyReader()))
                context.ReplyUnknownMethodError();
            return ValueTask.CompletedTask;
        }
    }
}
