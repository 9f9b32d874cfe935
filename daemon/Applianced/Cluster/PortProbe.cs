using System.Net;
using System.Net.Sockets;

namespace Appliance.Daemon.Cluster;

/// <summary>Whether something accepts TCP connections on a peer's port: `cluster check` and `cluster forget` ask.</summary>
public static class PortProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Null when a connection was accepted within 2 s, else why not ("timed out" or the socket error).</summary>
    public static async Task<string?> RefusedAsync(string address, int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await client.ConnectAsync(IPAddress.Parse(address), port, timeout.Token);
            return null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return e is OperationCanceledException ? "timed out" : e.Message;
        }
    }
}
