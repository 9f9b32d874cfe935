using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Appliance.Daemon.Cluster.Transport;

public sealed partial class TlsTransport
{
    /// <summary>
    /// Binds and starts accepting. Each connection runs on its own task: TLS, key proof, then
    /// <paramref name="handler"/> with the authenticated channel and a token cancelled when the
    /// listener stops. The channel lives while the handler runs and is disposed when it returns.
    /// Failures before the handler (TLS, key mismatch, garbage, timeouts) are logged once per
    /// connection and never reach the handler. <paramref name="isListedPeer"/> says whether an
    /// address is a configured peer, whose handshakes strangers can never crowd out (see
    /// <see cref="HandshakeSlots"/>); without it every address is a stranger. <paramref name="refused"/>
    /// hears of each connection whose key proof ended in a refusal or a key mismatch.
    /// </summary>
    public TransportListener Listen(IPEndPoint endPoint, Func<PeerChannel, CancellationToken, Task> handler,
        Func<IPAddress, bool>? isListedPeer = null, Action<IPAddress, Exception>? refused = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handler);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            AllowAddressNotYetPresent(socket);
            socket.Bind(endPoint);
            socket.Listen(Options.ListenBacklog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new TransportListener(this, socket, handler, isListedPeer ?? (_ => false), _log) { Refused = refused };
    }

    // The LAN address may not be on the interface yet when the listener starts (networkd, DHCP or
    // the daemon's own address applier add it later): IP_FREEBIND binds anyway, and connections
    // arrive once the address exists, instead of the bind failing with EADDRNOTAVAIL.
    private const int SolIp = 0, IpFreeBind = 15;

    private static void AllowAddressNotYetPresent(Socket socket)
    {
        if (OperatingSystem.IsLinux())
            socket.SetRawSocketOption(SolIp, IpFreeBind, BitConverter.GetBytes(1));
    }
}

public sealed class TransportListener : IAsyncDisposable
{
    private readonly TlsTransport _transport;
    private readonly Socket _socket;
    private readonly Func<PeerChannel, CancellationToken, Task> _handler;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HandshakeSlots _slots;
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _nextId;

    internal TransportListener(TlsTransport transport, Socket socket, Func<PeerChannel, CancellationToken, Task> handler,
        Func<IPAddress, bool> isListedPeer, Action<string> log)
    {
        _transport = transport;
        _socket = socket;
        _handler = handler;
        _log = log;
        _slots = new HandshakeSlots(transport.Options.MaxPendingHandshakes, transport.Options.MaxPendingHandshakesPerAddress, isListedPeer);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Told of a dialer whose key proof was refused (another cluster, another key): it speaks our protocol and dialed us.</summary>
    internal Action<IPAddress, Exception>? Refused { get; init; }

    /// <summary>The bound address, with the real port when bound to port 0.</summary>
    public IPEndPoint LocalEndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Per-connection accept errors (e.g. reset before accept) must not stop the listener.
                _log($"cluster listener {LocalEndPoint}: accept failed: {e.Message}");
                continue;
            }

            var slot = _slots.TryTake((accepted.RemoteEndPoint as IPEndPoint)?.Address, out var refusal);
            if (slot is null)
            {
                _log($"cluster listener {LocalEndPoint}: refusing {accepted.RemoteEndPoint}: {refusal}");
                accepted.Dispose();
                continue;
            }
            // The gate makes sure the task is registered before it can remove itself.
            var id = Interlocked.Increment(ref _nextId);
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = Task.Run(async () =>
            {
                await registered.Task.ConfigureAwait(false);
                await ServeAsync(accepted, slot, ct).ConfigureAwait(false);
                _connections.TryRemove(id, out _);
            });
            registered.SetResult();
        }
    }

    private async Task ServeAsync(Socket socket, HandshakeSlots.Slot slot, CancellationToken ct)
    {
        var remote = socket.RemoteEndPoint;
        PeerChannel? channel = null;
        Exception? refusal = null;
        try
        {
            var options = _transport.Options;
            channel = await _transport.AuthenticateAsync(socket, isClient: false, ct,
                slot.Listed ? options.HandshakeTimeout : options.UnlistedHandshakeTimeout).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            refusal = e;
        }
        finally
        {
            slot.Dispose();
        }
        if (channel is null)
        {
            if (!ct.IsCancellationRequested)
                _log($"cluster connection from {remote} to {LocalEndPoint} refused: {Describe(refusal!)}");
            if (refusal is KeyMismatchException or ProofRefusedException { Refusal: ProofRefusal.OtherCluster } && remote is IPEndPoint from)
                Refused?.Invoke(from.Address, refusal);
            return;
        }

        // A handler blocked in ReceiveAsync without watching the token still ends on stop.
        await using var closeOnStop = ct.Register(() => _ = channel.DisposeAsync().AsTask());
        try
        {
            await _handler(channel, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && !(e is System.Net.ProtocolViolationException && channel.ViolationReported))
        {
            _log($"cluster connection from {remote}: handler failed: {Describe(e)}");
        }
        catch (Exception)
        {
            // Stopping, or a violation the channel already logged.
        }
        finally
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        KeyMismatchException => e.Message,
        AuthenticationException => $"TLS failed: {e.Message}",
        ProtocolViolationException => $"protocol violation: {e.Message}",
        IOException => $"connection lost: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>Stops accepting, cancels the handlers and waits for every connection task.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
