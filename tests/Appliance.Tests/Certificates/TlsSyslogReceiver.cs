using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Appliance.Tests.Certificates;

/// <summary>
/// A real RFC 5425 receiver on loopback: accepts any number of connections, does the TLS handshake
/// with the given certificate, and collects the octet-counted messages it reads.
/// </summary>
internal sealed class TlsSyslogReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly SslStreamCertificateContext _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TlsSyslogReceiver(SslStreamCertificateContext certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public ConcurrentQueue<string> Messages { get; } = new();

    /// <summary>Connections that reached this receiver (a refused handshake counts too).</summary>
    public int Connections;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref Connections);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var ssl = new SslStream(client.GetStream());
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _certificate }, _stop.Token);
                while (true)
                    Messages.Enqueue(await ReadFrameAsync(ssl, _stop.Token));
            }
            catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or EndOfStreamException)
            {
            }
        }
    }

    private static async Task<string> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        var length = 0;
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one, ct);
            if (one[0] == (byte)' ') break;
            length = length * 10 + (one[0] - '0');
        }
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, ct);
        return Encoding.UTF8.GetString(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
