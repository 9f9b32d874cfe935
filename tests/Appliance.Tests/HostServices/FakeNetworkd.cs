using Tmds.DBus.Protocol;

namespace Appliance.Tests.HostServices;

/// <summary>
/// Stands in for systemd-networkd on a private bus: owns org.freedesktop.network1, answers
/// Manager.Reload() and Manager.ReconfigureLink(i) (the signatures of systemd 252) and records
/// each call, e.g. "network1 ReconfigureLink 4242". Any other method gets UnknownMethod.
/// </summary>
internal sealed class FakeNetworkd : IDisposable
{
    private readonly DBusConnection _connection;
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];

    private FakeNetworkd(DBusConnection connection) => _connection = connection;

    public IReadOnlyList<string> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    public static async Task<FakeNetworkd> StartAsync(string address, TimeSpan timeout)
    {
        var connection = new DBusConnection(address);
        var fake = new FakeNetworkd(connection);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(timeout);
            connection.AddMethodHandler(new Handler(fake));
            await connection.RequestNameAsync("org.freedesktop.network1", RequestNameOptions.Default).WaitAsync(timeout);
            return fake;
        }
        catch
        {
            fake.Dispose();
            throw;
        }
    }

    public void Dispose() => _connection.Dispose();

    private bool Handle(MethodContext context)
    {
        var request = context.Request;
        if (request.InterfaceAsString != "org.freedesktop.network1.Manager")
            return false;
        var signature = request.SignatureAsString ?? "";
        switch (request.MemberAsString)
        {
            case "Reload" when signature == "":
                Record("network1 Reload");
                break;
            case "ReconfigureLink" when signature == "i":
                Record($"network1 ReconfigureLink {request.GetBodyReader().ReadInt32()}");
                break;
            default:
                return false;
        }
        if (!context.NoReplyExpected)
        {
            using var writer = context.CreateReplyWriter(null);
            context.Reply(writer.CreateMessage());
        }
        return true;
    }

    private void Record(string call)
    {
        lock (_gate)
            _calls.Add(call);
    }

    private sealed class Handler(FakeNetworkd fake) : IPathMethodHandler
    {
        public string Path => "/org/freedesktop/network1";

        public bool HandlesChildPaths => false;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            if (!fake.Handle(context))
                context.ReplyUnknownMethodError();
            return ValueTask.CompletedTask;
        }
    }
}
