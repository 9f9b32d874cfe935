using System.Net.Sockets;
using System.Text;

namespace Appliance.Ctl;

/// <summary>One Unix-socket connection carrying newline-delimited JSON (PROTOCOL.md).</summary>
internal sealed class ApiConnection : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly string _path;

    private ApiConnection(Socket socket, string path)
    {
        _socket = socket;
        _path = path;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false), false, 64 * 1024);
    }

    public static async Task<ApiConnection> OpenAsync(string path, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
            return new ApiConnection(socket, path);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(path, Describe(e), e);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(path, $"no answer within {ConnectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when the daemon has closed its end (e.g. after `restart`), so the next
    /// request must go over a new connection instead of failing half-way.</summary>
    public bool IsClosedByPeer
    {
        get
        {
            try
            {
                return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return true;
            }
        }
    }

    public async Task SendLineAsync(string json, CancellationToken ct)
    {
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), ct);
        }
        catch (IOException e)
        {
            throw new DaemonUnreachableException(_path, "the connection broke while sending: " + e.Message, e);
        }
    }

    /// <summary>The next line, or null when the daemon closed the connection.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        try
        {
            return await _reader.ReadLineAsync(ct);
        }
        catch (IOException e)
        {
            throw new DaemonUnreachableException(_path, "the connection broke while reading: " + e.Message, e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AccessDenied => "permission denied (run as root or as a member of the appliance-admin group)",
        SocketError.ConnectionRefused => "connection refused (the socket exists but nothing listens: is applianced running?)",
        SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported
            => "no such socket (is applianced running? try `systemctl status applianced`)",
        _ => e.Message + " (is applianced running? try `systemctl status applianced`)",
    };
}
