using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using Appliance.Daemon.Cluster.Transport;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

/// <summary>Timeouts on every await, a log sink per test, and the test's certificates.</summary>
public abstract class TransportTestBase : IDisposable
{
    protected const string Key = "correct horse battery staple 42";
    protected const string OtherKey = "incorrect donkey battery staple 7";
    protected static readonly TimeSpan Unexpected = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(60));
    private readonly List<IDisposable> _disposables = [];

    protected TransportTestBase(ITestOutputHelper output) => Output = output;

    protected ITestOutputHelper Output { get; }

    protected CancellationToken Ct => _cts.Token;

    protected ConcurrentQueue<string> LogLines { get; } = new();

    protected void Log(string line)
    {
        LogLines.Enqueue(line);
        try
        {
            Output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // A connection task may log after the test finished.
        }
    }

    protected PeerCertificate NewCertificate(string peerId) => Owned(PeerCertificate.Create(peerId));

    /// <summary>Disposed when the test ends.</summary>
    protected T Owned<T>(T disposable) where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>
    /// A transport with the test key. Its listeners know no peer list, so every client is unlisted:
    /// unless a test sets it, the unlisted timeout is the peers' own, so a loaded test machine is not
    /// mistaken for a stalled stranger (the tests of that timeout set it themselves).
    /// </summary>
    protected TlsTransport Transport(PeerCertificate certificate, string key = Key, TransportOptions? options = null) =>
        new(() => certificate.Certificate, () => Credentials(key), options ?? PatientOptions, Log);

    private static readonly TransportOptions PatientOptions = new() { UnlistedHandshakeTimeout = new TransportOptions().HandshakeTimeout };

    /// <summary>A handler that hands each authenticated channel to the test and keeps it open until the test ends.</summary>
    protected static Func<PeerChannel, CancellationToken, Task> Capture(Channel<PeerChannel> accepted) => async (channel, ct) =>
    {
        await accepted.Writer.WriteAsync(channel, ct);
        await Task.Delay(Timeout.Infinite, ct);
    };
    /// <summary>
    /// Credentials at the real cost, their secret derived first as a peer does when its key or id
    /// changes (a dialer whose secret is not ready refuses and dials again later). The cache is
    /// process-wide: each key and id costs one derivation per test run.
    /// </summary>
    protected static ClusterCredentials Credentials(string key = Key, string? clusterId = null)
    {
        ClusterSecret.Derive(key, clusterId);
        return new ClusterCredentials(key, clusterId);
    }

    protected static ClusterSecret Secret(string key = Key, string? clusterId = null) => ClusterSecret.Derive(key, clusterId);

    /// <summary>The types of the key proof frames in recorded bytes, in order.</summary>
    protected static async Task<List<byte>> FrameTypesAsync(byte[] wire)
    {
        var stream = new MemoryStream(wire);
        var types = new List<byte>();
        while (await FrameCodec.ReadAsync(stream, 128, FrameCodec.Phase.Handshake, CancellationToken.None) is { } frame)
            types.Add(frame.Type);
        return types;
    }

    protected async Task WaitForLogAsync(string fragment)
    {
        var deadline = DateTime.UtcNow + Unexpected;
        while (!LogLines.Any(l => l.Contains(fragment, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no log line containing '{fragment}'; got: {string.Join(" | ", LogLines)}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Reads until the server closes <paramref name="raw"/> (an end of stream or a reset).</summary>
    protected async Task AssertClosedByServerAsync(TcpClient raw)
    {
        var buffer = new byte[4096];
        try
        {
            while (await raw.GetStream().ReadAsync(buffer, Ct).AsTask().WaitAsync(Unexpected) > 0)
            {
                // TLS alerts may arrive before the close.
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
    }

    public void Dispose()
    {
        foreach (var d in _disposables)
            d.Dispose();
        _cts.Dispose();
        GC.SuppressFinalize(this);
    }
}
