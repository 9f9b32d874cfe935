using System.Net.Sockets;
using System.Text;
using Appliance.Daemon.Logs;

namespace Appliance.Daemon.Api;

/// <summary>
/// The local API on a Unix stream socket: one JSON request per line, one JSON response per line
/// (PROTOCOL.md). Whatever a client sends, the daemon answers or hangs up on that client alone;
/// however many connect, it keeps a bounded number of connections and answers the rest with a
/// refusal line.
/// </summary>
public sealed partial class ApiServer : IAsyncDisposable
{
    public const int Version = 1;
    private const int MaxLineBytes = 1 << 20;
    private const string AdminGroup = "appliance-admin";

    /// <summary>Connections served at once. Each costs a task and ~20 KB; the CLI uses one per session.</summary>
    public const int MaxConnections = 64;

    /// <summary>Extra connections only root gets, so admins filling the API cannot lock root out.</summary>
    public const int RootReserve = 16;

    private static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);
    private readonly ApiRouter _router;
    private readonly JsonLinesLog _events;
    private readonly RateLimitedLog _warnings;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private string? _path;
    private Task _accepting = Task.CompletedTask;
    private Task _probing = Task.CompletedTask;
    private int _connections;
    private (int Anyone, int RootReserve) _limit = (MaxConnections, RootReserve);

    public ApiServer(ApiRouter router, JsonLinesLog events, TimeProvider? time = null)
    {
        _router = router;
        _events = events;
        _warnings = new RateLimitedLog(m => events.Append(new LogEntry { Level = "warning", Message = m }), time ?? TimeProvider.System);
        router.Add(PingCommand, _ => new System.Text.Json.Nodes.JsonObject());
    }

    public void Start(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        EnsureNotServed(path);
        if (File.Exists(path)) File.Delete(path); // a stale socket of a previous run: nobody answers on it
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        SocketPermissions.Restrict(path, AdminGroup);
        socket.Listen(64);
        _limit = ConnectionLimit.Compute(MaxConnections, RootReserve);
        if (_limit.Anyone < MaxConnections)
            Warn($"API socket: the descriptor limit allows {_limit.Anyone} connections (+{_limit.RootReserve} for root), fewer than {MaxConnections}; raise LimitNOFILE");
        _listener = socket;
        _path = path;
        _accepting = AcceptLoop(socket, _stop.Token);
        if (Served.Watched) _probing = Task.Run(() => ProbeLoop(path, _stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Refuses to take over a socket another daemon still serves: the store lock only covers one data
    /// directory, and two daemons given the same socket path must not silently swap places.
    /// </summary>
    public static void EnsureNotServed(string path)
    {
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            return; // stale: left by a daemon that is gone
        }
        throw new IOException($"the API socket {path} is served by another running applianced; stop it or use another --api-socket");
    }

    private async Task AcceptLoop(Socket listener, CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await Served.HangIfAsked(ct);
                client = await listener.AcceptAsync(ct);
                failures = 0;
            }
            catch (Exception) when (ct.IsCancellationRequested) { return; }
            catch (SocketException e)
            {
                // Out of descriptors (or memory) the same accept fails again at once: retrying without
                // a pause spins a core and allocates an exception per turn. Back off, up to a second.
                failures++;
                Warn($"API socket: accept failed ({e.SocketErrorCode}: {e.Message}); retrying in {Backoff(failures).TotalMilliseconds:0} ms");
                try { await Task.Delay(Backoff(failures), ct); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            Admit(client, ct);
        }
    }

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxAcceptBackoff.TotalMilliseconds, 10 * Math.Pow(2, Math.Min(failures, 10) - 1)));

    private void Admit(Socket client, CancellationToken ct)
    {
        PeerCredentials credentials;
        try { credentials = PeerCredentials.Of(client); }
        catch (SocketException)
        {
            client.Dispose(); // gone before we asked who it was
            return;
        }
        var limit = _limit.Anyone + (credentials.IsRoot ? _limit.RootReserve : 0);
        if (Interlocked.Increment(ref _connections) > limit)
        {
            Interlocked.Decrement(ref _connections);
            Refuse(client, credentials);
            return;
        }
        _ = Task.Run(async () =>
        {
            try { await Serve(client, credentials, ct); }
            finally { Interlocked.Decrement(ref _connections); }
        }, CancellationToken.None);
    }

    /// <summary>One line saying why, sent without waiting (a client that does not read loses it), then close.</summary>
    private void Refuse(Socket client, PeerCredentials who)
    {
        Warn($"API socket: refused a connection of {who.UserName} (pid {who.Pid}): {_limit.Anyone} connections are open");
        var reply = ErrorReply(new ApiException(ApiException.Conflict,
            $"the API serves {_limit.Anyone} connections at once and they are all open; close other sessions (appliancectl shells, log follows, scripts) and try again"));
        try
        {
            client.Blocking = false;
            client.Send(Encoding.UTF8.GetBytes(reply.ToJsonString() + "\n"));
        }
        catch (SocketException) { }
        finally { client.Dispose(); }
    }

    /// <summary>A warning for the event log that can itself fail (out of descriptors) without stopping the caller.</summary>
    private void Warn(string message)
    {
        try { _warnings.Write(message); }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        await _accepting;
        await _probing;
        if (_path is not null && File.Exists(_path)) File.Delete(_path);
    }
}
