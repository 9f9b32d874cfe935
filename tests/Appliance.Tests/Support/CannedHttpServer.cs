using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>
/// A loopback HTTP/1.1 server that answers every request with one fixed status and body (any
/// bytes), to show a client what a broken or hostile server sends. One connection at a time.
/// </summary>
public sealed class CannedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public CannedHttpServer(int status, byte[] body)
    {
        Status = status;
        Body = body;
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Status { get; set; }
    public byte[] Body { get; set; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    await ReadRequestAsync(stream);
                    var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {Status} Canned\r\nContent-Type: text/xml\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(head, _stop.Token);
                    await stream.WriteAsync(Body, _stop.Token);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException) { }
            }
        }
    }

    /// <summary>Headers up to the blank line, then Content-Length bytes of body.</summary>
    private async Task ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, _stop.Token) == 1)
            head.Append((char)one[0]);
        var length = head.ToString().Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
