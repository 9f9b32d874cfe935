using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// An authenticated connection to one peer, as replication sees it: typed frames in and out,
/// never a socket. Sends may come from several tasks (a write lock keeps frames whole); receives
/// must come from one reader loop at a time.
/// </summary>
public sealed partial class PeerChannel : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly int _maxFrameSize;
    private readonly Action<string>? _log;
    private readonly byte[]? _remoteCertificateRaw;
    private int _receiving;
    private int _violationReported;
    private int _disposed;

    internal PeerChannel(Stream stream, bool isClient, X509Certificate? remoteCertificate, IPEndPoint? remoteEndPoint,
        IPEndPoint? localEndPoint, SslProtocols? tlsProtocol, int maxFrameSize, Action<string>? log)
    {
        _stream = stream;
        _maxFrameSize = maxFrameSize;
        _log = log;
        _remoteCertificateRaw = remoteCertificate?.GetRawCertData();
        IsClient = isClient;
        RemoteCertificateHash = CertificateHash.Of(remoteCertificate);
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        TlsProtocol = tlsProtocol;
    }

    /// <summary>True on the side that connected; false on the side that accepted.</summary>
    public bool IsClient { get; }

    /// <summary>SHA-256 of the peer's certificate (of the empty string on an in-memory pair).</summary>
    public byte[] RemoteCertificateHash { get; }

    public string RemoteCertificateHashHex => CertificateHash.ToHex(RemoteCertificateHash);

    /// <summary>A copy of the peer's certificate, or null on an in-memory pair.</summary>
    public X509Certificate2? RemoteCertificate =>
        _remoteCertificateRaw is null ? null : X509CertificateLoader.LoadCertificate(_remoteCertificateRaw);

    public IPEndPoint? RemoteEndPoint { get; }

    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>The negotiated TLS version, or null on an in-memory pair.</summary>
    public SslProtocols? TlsProtocol { get; }

    /// <summary>For testing: the stream under the framing, to inject malformed bytes.</summary>
    internal Stream StreamForTesting => _stream;

    /// <summary>True once a protocol violation on this channel was logged.</summary>
    internal bool ViolationReported => Volatile.Read(ref _violationReported) != 0;

    private static long s_framedBytesSent;

    /// <summary>Frame bytes (header and payload, before TLS) sent on every channel of this process: a figure for benchmarks.</summary>
    public static long FramedBytesSent => Interlocked.Read(ref s_framedBytesSent);

    public async Task SendAsync(byte frameType, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (!FrameType.IsApplication(frameType))
            throw new ArgumentException($"frame type {FrameType.Describe(frameType)} cannot be sent on an authenticated channel", nameof(frameType));
        if (payload.Length > _maxFrameSize)
            throw new ArgumentException($"{FrameType.Describe(frameType)} payload of {payload.Length} bytes exceeds the limit of {_maxFrameSize}", nameof(payload));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await FrameCodec.WriteAsync(_stream, frameType, payload, ct).ConfigureAwait(false);
            Interlocked.Add(ref s_framedBytesSent, payload.Length + 5);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// The next frame, or null when the peer closed the connection between frames. A malformed
    /// frame throws <see cref="ProtocolViolationException"/> (logged once); the caller then
    /// disposes the channel, since a byte stream cannot be resynchronised.
    /// </summary>
    public async ValueTask<Frame?> ReceiveAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
            throw new InvalidOperationException("ReceiveAsync is already running on this channel; use one reader loop");
        try
        {
            return await FrameCodec.ReadAsync(_stream, _maxFrameSize, FrameCodec.Phase.Application, ct).ConfigureAwait(false);
        }
        catch (ProtocolViolationException e)
        {
            if (Interlocked.Exchange(ref _violationReported, 1) == 0)
                _log?.Invoke($"cluster peer {Describe()}: protocol violation, closing: {e.Message}");
            throw;
        }
        finally
        {
            Volatile.Write(ref _receiving, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // The write lock is not disposed: a sender waiting on it must fail on the stream, not hang.
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() => Describe();

    private string Describe() =>
        $"{RemoteEndPoint?.ToString() ?? "in-memory"} (cert {RemoteCertificateHashHex[..16]})";
}
