using System.Net;
using System.Net.Sockets;

namespace Appliance.Sip;

/// <summary>SIP over UDP on one local address: one socket, one receive loop, a message per datagram.</summary>
public sealed class SipUdpTransport : ISipTransport
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private SipUdpTransport(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public string Protocol => "UDP";
    public bool IsReliable => false;
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds <paramref name="local"/> (port 0 picks one); throws <see cref="SocketException"/> when it cannot.</summary>
    public static SipUdpTransport Bind(IPEndPoint local)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            SocketOptions.AllowFreeBind(socket, local);
            socket.Bind(local);
            return new SipUdpTransport(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Start(SipReceiveHandler received, Action<string> problem) =>
        _loop ??= Task.Run(() => ReceiveLoopAsync(received, problem, _stop.Token));

    private async Task ReceiveLoopAsync(SipReceiveHandler received, Action<string> problem, CancellationToken ct)
    {
        var buffer = new byte[65_536];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                // ICMP port unreachable from an earlier send surfaces here on Linux: not fatal.
                if (ct.IsCancellationRequested) return;
                problem($"UDP {LocalEndPoint}: receive error {e.SocketErrorCode}");
                continue;
            }
            received(this, buffer.AsMemory(0, r.ReceivedBytes).ToArray(), (IPEndPoint)r.RemoteEndPoint);
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, IPEndPoint remote, CancellationToken ct) =>
        await _socket.SendToAsync(message, SocketFlags.None, remote, ct).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
