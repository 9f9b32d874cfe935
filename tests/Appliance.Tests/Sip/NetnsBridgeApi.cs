using System.Net.Sockets;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Tests.Harness;

namespace Appliance.Tests.Sip;

/// <summary>
/// A bridgesim's XML-RPC API asked from inside a test network: each connection's socket is made on
/// a <see cref="NetnsThread"/> of a host there, since the test process's own namespace has no route to it.
/// </summary>
internal sealed class NetnsBridgeApi(NetnsThread ns, string address) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = await ns.RunAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = TimeSpan.FromSeconds(10) };

    public string Address => address;

    public async Task<object> CallAsync(string method, XmlRpcStruct args)
    {
        using var body = new ByteArrayContent(XmlRpcWriter.Call(method, args));
        using var reply = await _http.PostAsync(new Uri($"http://{address}:{Support.BridgeSimProcess.HttpPort}/RPC2"), body);
        return XmlRpcReader.ReadResponse(await reply.Content.ReadAsByteArrayAsync());
    }

    /// <summary>
    /// participant.enumerate as "conference/participant" names, of one conference or all: all are
    /// asked and filtered here, since a bridge answers a fault for a conference it does not host.
    /// </summary>
    public async Task<IReadOnlyList<string>> ParticipantsAsync(string? conference = null)
    {
        var all = await EnumerateAsync("participant.enumerate", "participants", p => $"{p.String("conferenceName")}/{p.String("participantName")}");
        return conference is null ? all : [.. all.Where(p => p.StartsWith($"{conference}/", StringComparison.Ordinal))];
    }

    /// <summary>conference.enumerate: the names of the conferences the bridge hosts.</summary>
    public Task<IReadOnlyList<string>> ConferencesAsync() => EnumerateAsync("conference.enumerate", "conferences", c => c.String("conferenceName"));

    /// <summary>Every page of an enumeration (the family pages long lists by enumerateID).</summary>
    private async Task<IReadOnlyList<string>> EnumerateAsync(string method, string member, Func<XmlRpcStruct, string> name)
    {
        var all = new List<string>();
        string? next = null;
        do
        {
            var args = new XmlRpcStruct();
            if (next is not null) args["enumerateID"] = next;
            var page = (XmlRpcStruct)await CallAsync(method, args);
            all.AddRange(page.Structs(member).Select(name));
            next = page.OptionalString("enumerateID");
        }
        while (next is not null);
        return all;
    }

    public void Dispose() => _http.Dispose();
}
