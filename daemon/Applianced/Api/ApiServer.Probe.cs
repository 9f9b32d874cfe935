using System.Net.Sockets;
using System.Text;
using Appliance.Daemon.Health;

namespace Appliance.Daemon.Api;

public sealed partial class ApiServer
{
    /// <summary>The cheapest request: answered by the router with an empty result.</summary>
    public const string PingCommand = "ping";

    /// <summary>
    /// Beaten each time the daemon's own probe gets an answer through the API socket. An accept
    /// loop waiting in accept() looks the same whether it works or not, so "the API makes
    /// progress" is judged the way a client sees it: a real connection to the socket, a `ping`
    /// request through the parser, router and writer, and its answer line. Any answer counts (a
    /// refusal line when every connection is taken is the accept loop working too).
    /// </summary>
    public Heartbeat Served { get; } = new("api", "API");

    private static readonly byte[] PingRequest = Encoding.UTF8.GetBytes($"{{\"v\":{Version},\"cmd\":\"{PingCommand}\",\"channel\":\"watchdog\"}}\n");

    /// <summary>
    /// One probe at a time, each waiting as long as it takes: a probe the API never answers keeps
    /// this loop (and so the heartbeat) where it is, and piles up no connections.
    /// </summary>
    private async Task ProbeLoop(string path, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ProbeAsync(path, ct);
                Served.Beat();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // Not answered: no beat. If it lasts, the watchdog says which loop is stuck.
            }
            try { await Task.Delay(Served.Interval, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static async Task ProbeAsync(string path, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(PingRequest, ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        if (await reader.ReadLineAsync(ct) is null) throw new IOException("the API closed the probe's connection without an answer");
    }
}
