using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Hal;

/// <summary>The transport to one syslog server: connects lazily, and is reset after any failure.</summary>
internal sealed class SyslogConnection : IAsyncDisposable
{
    // Larger datagrams would be fragmented or refused; RFC 5426 only promises 480/1180 bytes, and
    // receivers commonly take up to 64 KiB, so cut at what an IPv4 UDP datagram can carry.
    private const int MaxUdpPayload = 65_507;

    private readonly SyslogServer _server;
    private readonly SyslogForwarderOptions _options;
    private Socket? _udp;
    private TcpClient? _tcp;
    private Stream? _stream;

    public SyslogConnection(SyslogServer server, SyslogForwarderOptions options)
    {
        _server = server;
        _options = options;
    }

    public bool Connected => _udp is not null || _stream is not null;

    public async Task SendAsync(byte[] message, CancellationToken ct)
    {
        if (_server.Transport == SyslogTransport.Udp)
        {
            _udp ??= await ConnectUdpAsync(ct).ConfigureAwait(false);
            await _udp.SendAsync(message.AsMemory(0, Math.Min(message.Length, MaxUdpPayload)), SocketFlags.None, ct).ConfigureAwait(false);
            return;
        }
        // A server that closed its end shows as readable with nothing to read; writing into it
        // would "succeed" once and lose that message, so reconnect first.
        if (_tcp is not null && _tcp.Client.Poll(0, SelectMode.SelectRead) && _tcp.Client.Available == 0)
            Reset();
        _stream ??= await ConnectStreamAsync(ct).ConfigureAwait(false);
        await _stream.WriteAsync(Rfc5424Formatter.Frame(message), ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    public void Reset()
    {
        _udp?.Dispose();
        _stream?.Dispose();
        _tcp?.Dispose();
        _udp = null;
        _stream = null;
        _tcp = null;
    }

    public ValueTask DisposeAsync()
    {
        Reset();
        return ValueTask.CompletedTask;
    }

    private async Task<Socket> ConnectUdpAsync(CancellationToken ct)
    {
        using var timeout = Timeout(ct);
        var addresses = await System.Net.Dns.GetHostAddressesAsync(_server.Host, timeout.Token).ConfigureAwait(false);
        var address = addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(address, _server.Port, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<Stream> ConnectStreamAsync(CancellationToken ct)
    {
        using var timeout = Timeout(ct);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(_server.Host, _server.Port, timeout.Token).ConfigureAwait(false);
            Stream stream = tcp.GetStream();
            if (_server.Transport == SyslogTransport.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _server.Host,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = _options.ServerCertificateValidation,
                    CertificateChainPolicy = CustomTrust(_options.TrustedRoots),
                }, timeout.Token).ConfigureAwait(false);
                stream = ssl;
            }
            _tcp = tcp;
            return stream;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Only the given roots, a fresh policy per handshake (a policy holds the chain's state). No
    /// revocation check: a private CA seldom publishes a CRL the appliance could reach, and an
    /// unreachable one would refuse every server.
    /// </summary>
    private static X509ChainPolicy? CustomTrust(X509Certificate2Collection? roots)
    {
        if (roots is null)
            return null;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    private CancellationTokenSource Timeout(CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_options.ConnectTimeout);
        return cts;
    }
}
