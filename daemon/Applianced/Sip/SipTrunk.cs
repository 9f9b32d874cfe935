using System.Net;
using System.Net.Sockets;
using Appliance.Daemon.Node;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

/// <summary>
/// The peer's SIP side of the trunk to the call processor: one SIP stack with a UDP and a TCP
/// listener on each rendezvous address of this peer (the port is 5060 unless a test moves it), and
/// a TLS listener on 5061 of each while a server certificate is selected (<see cref="SipCertificate"/>).
/// <see cref="ListenAsync"/> moves the listeners to a new set of addresses, leaving those that stay.
/// </summary>
public sealed partial class SipTrunk : IAsyncDisposable
{
    public const int DefaultPort = 5060;
    public const int DefaultTlsPort = 5061;

    private readonly NodeLogs _logs;
    private readonly Dictionary<IPAddress, (ISipTransport Udp, ISipTransport Tcp)> _listeners = new();
    private readonly Dictionary<IPAddress, ISipTransport> _tls = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ProblemThrottle _problems;
    private readonly TimeProvider _time;

    public SipTrunk(int port, NodeLogs logs, TimeProvider time)
    {
        Port = port;
        _logs = logs;
        _time = time;
        _problems = new ProblemThrottle(time, message => logs.Event($"SIP: {message}", "warning"));
        Stack = new SipStack(time: time) { RequestReceived = HandleAsync };
        Stack.Problem += _problems.Report;
    }

    public int Port { get; }
    public int TlsPort { get; init; } = DefaultTlsPort;
    public SipStack Stack { get; }

    /// <summary>What TLS presents, and whether it is served at all; null: no TLS (a trunk in a test without certificates).</summary>
    internal SipCertificate? Certificate { get; init; }

    /// <summary>The addresses served now (UDP and TCP on each).</summary>
    public IReadOnlyList<IPEndPoint> Listening
    {
        get
        {
            lock (_listeners) return _listeners.Keys.Select(a => new IPEndPoint(a, Port)).OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The addresses served over TLS now.</summary>
    public IReadOnlyList<IPEndPoint> ListeningTls
    {
        get
        {
            lock (_listeners) return _tls.Keys.Select(a => new IPEndPoint(a, TlsPort)).OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>
    /// Serves exactly <paramref name="addresses"/> (over TLS too while a certificate is selected):
    /// listeners of addresses no longer wanted close, new ones open. Returns what is served; throws an
    /// <see cref="IOException"/> naming every address that could not be bound and why (the others
    /// still serve; the next run tries it again).
    /// </summary>
    public async Task<IReadOnlyList<IPEndPoint>> ListenAsync(IReadOnlyCollection<IPAddress> addresses, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var failures = await ListenTlsAsync(Certificate is { Selected: true } ? addresses : []);
            List<KeyValuePair<IPAddress, (ISipTransport Udp, ISipTransport Tcp)>> gone;
            lock (_listeners) gone = _listeners.Where(l => !addresses.Contains(l.Key)).ToList();
            foreach (var (address, pair) in gone)
            {
                lock (_listeners) _listeners.Remove(address);
                await Stack.RemoveTransportAsync(pair.Udp);
                await Stack.RemoveTransportAsync(pair.Tcp);
                _logs.Event($"SIP: stopped listening on {address}:{Port}");
            }
            foreach (var address in addresses)
            {
                lock (_listeners)
                    if (_listeners.ContainsKey(address)) continue;
                try
                {
                    var pair = Bind(new IPEndPoint(address, Port));
                    lock (_listeners) _listeners[address] = pair;
                    Stack.AddTransport(pair.Udp);
                    Stack.AddTransport(pair.Tcp);
                    _logs.Event($"SIP: listening on {address}:{Port} (UDP, TCP)");
                }
                catch (SocketException e)
                {
                    failures.Add($"{address}:{Port}: {e.Message}");
                }
            }
            if (failures.Count > 0) throw new IOException($"cannot listen for SIP on {string.Join("; ", failures)}");
            return Listening;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static (ISipTransport Udp, ISipTransport Tcp) Bind(IPEndPoint local)
    {
        var udp = SipUdpTransport.Bind(local);
        try
        {
            return (udp, SipTcpTransport.Listen(local));
        }
        catch
        {
            udp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopCallsAsync();
        await Stack.DisposeAsync();
        lock (_listeners)
        {
            _listeners.Clear();
            _tls.Clear();
        }
    }
}
