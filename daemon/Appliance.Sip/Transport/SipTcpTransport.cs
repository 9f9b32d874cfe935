using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Sip;

/// <summary>
/// SIP over TCP on one local address: accepts connections, reuses them (inbound or outbound) for
/// messages to the same remote address, and frames each stream by Content-Length. TLS is the
/// extension point: a subclass overrides <see cref="Protocol"/> and <see cref="SecureAsync"/>.
/// </summary>
public class SipTcpTransport : ISipTransport
{
    /// <summary>Open connections at most: a flood of idle connections cannot exhaust the process.</summary>
    public const int MaxConnections = 1024;

    private readonly Socket _listener;
    private readonly SipLimits _limits;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<IPEndPoint, SipStreamConnection> _connections = new();
    private SipReceiveHandler? _received;
    private Action<string> _problem = _ => { };
    private Task? _accept;

    /// <summary>A connection that sends nothing for this long is closed (RFC 5626 keep-alives are CRLFs, so live peers send).</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(10);

    private readonly TimeSpan _idleTimeout;

    protected SipTcpTransport(Socket listener, SipLimits limits, TimeSpan? idleTimeout = null)
    {
        _listener = listener;
        _limits = limits;
        _idleTimeout = idleTimeout ?? DefaultIdleTimeout;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
    }

    public virtual string Protocol => "TCP";
    public bool IsReliable => true;
    public IPEndPoint LocalEndPoint { get; }
    public int ConnectionCount => _connections.Count;

    public static SipTcpTransport Listen(IPEndPoint local, SipLimits? limits = null, TimeSpan? idleTimeout = null) =>
        new(BindListener(local), limits ?? SipLimits.Default, idleTimeout);

    protected static Socket BindListener(IPEndPoint local)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            SocketOptions.AllowFreeBind(socket, local);
            socket.Bind(local);
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>TLS hook: wraps a connected stream (server side when <paramref name="inbound"/>); plain TCP returns it unchanged.</summary>
    protected virtual ValueTask<Stream> SecureAsync(NetworkStream stream, IPEndPoint remote, bool inbound, CancellationToken ct) =>
        ValueTask.FromResult<Stream>(stream);

    public void Start(SipReceiveHandler received, Action<string> problem)
    {
        _received = received;
        _problem = problem;
        _accept ??= Task.Run(() => AcceptLoopAsync(_stop.Token));
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                _problem($"{Protocol} {LocalEndPoint}: accept failed: {e.SocketErrorCode}");
                continue;
            }
            if (_connections.Count >= MaxConnections)
            {
                _problem($"{Protocol} {LocalEndPoint}: refused a connection from {socket.RemoteEndPoint}: {MaxConnections} connections open");
                socket.Dispose();
                continue;
            }
            _ = AdoptAsync(socket, inbound: true, ct);
        }
    }

    private async Task<SipStreamConnection?> AdoptAsync(Socket socket, bool inbound, CancellationToken ct)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        try
        {
            socket.NoDelay = true;
            var stream = await SecureAsync(new NetworkStream(socket, ownsSocket: true), remote, inbound, ct).ConfigureAwait(false);
            var connection = new SipStreamConnection(stream, remote, _limits, _idleTimeout);
            _connections[remote] = connection;
            _ = ReadAsync(connection, ct);
            return connection;
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            _problem($"{Protocol} {LocalEndPoint}: connection with {remote} failed: {e.Message}");
            socket.Dispose();
            // A connection this side opened fails its request with why (a refused certificate, say), not only that it failed.
            if (!inbound) throw new IOException($"{Protocol} connection to {remote} failed: {e.Message}", e);
            return null;
        }
    }

    private async Task ReadAsync(SipStreamConnection connection, CancellationToken ct)
    {
        try
        {
            await connection.ReadMessagesAsync(m => _received?.Invoke(this, m, connection.Remote), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipParseException or TimeoutException)
        {
            _problem($"{Protocol} {LocalEndPoint}: closed the connection from {connection.Remote}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException) { }
        finally
        {
            _connections.TryRemove(new KeyValuePair<IPEndPoint, SipStreamConnection>(connection.Remote, connection));
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Over the open connection to <paramref name="remote"/>, or a new one.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, IPEndPoint remote, CancellationToken ct)
    {
        if (!_connections.TryGetValue(remote, out var connection))
        {
            var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(remote, ct).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            connection = await AdoptAsync(socket, inbound: false, _stop.Token).ConfigureAwait(false)
                ?? throw new IOException($"{Protocol} connection to {remote} failed");
        }
        await connection.WriteAsync(message, ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        if (_accept is not null) await _accept.ConfigureAwait(false);
        foreach (var c in _connections.Values) await c.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
