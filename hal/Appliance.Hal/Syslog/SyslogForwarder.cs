using System.Threading.Channels;

namespace Appliance.Hal;

/// <summary>Delivery figures of one server.</summary>
/// <param name="Server">The server.</param>
/// <param name="Sent">Messages written to the transport.</param>
/// <param name="Dropped">Messages dropped: queue full, UDP send failure, or left over at shutdown.</param>
/// <param name="Connected">Whether a connection (or UDP socket) is open now.</param>
/// <param name="LastError">The last transport error, or null.</param>
public sealed record SyslogServerStatus(SyslogServer Server, long Sent, long Dropped, bool Connected, string? LastError);

/// <summary>
/// Sends every message to every configured server. <see cref="Send"/> never blocks: each server
/// has a bounded queue and its own worker, so a slow or dead server only loses its own messages
/// (counted) and TCP/TLS servers are reconnected with back-off.
/// </summary>
public sealed class SyslogForwarder : ISyslogSink, IAsyncDisposable
{
    private static readonly TimeSpan DrainOnDispose = TimeSpan.FromSeconds(2);

    private readonly Worker[] _workers;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts one worker per server.</summary>
    /// <param name="servers">The servers; an empty list makes a forwarder that discards everything.</param>
    /// <param name="options">Queue, reconnect and TLS settings, or null for defaults.</param>
    public SyslogForwarder(IEnumerable<SyslogServer> servers, SyslogForwarderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        options ??= new SyslogForwarderOptions();
        if (options.QueueCapacity < 1)
            throw new ArgumentException($"syslog queue capacity {options.QueueCapacity} must be at least 1", nameof(options));
        _workers = servers.Select(s =>
        {
            if (string.IsNullOrWhiteSpace(s.Host) || s.Port is < 1 or > 65535 || !Enum.IsDefined(s.Transport))
                throw new ArgumentException($"syslog server '{s}' needs a host, a port 1..65535 and a transport udp, tcp or tls", nameof(servers));
            return new Worker(s, options, _stop.Token);
        }).ToArray();
    }

    /// <summary>Messages dropped across all servers.</summary>
    public long Dropped => _workers.Sum(w => Interlocked.Read(ref w.DroppedCount));

    /// <summary>Per-server delivery figures.</summary>
    public IReadOnlyList<SyslogServerStatus> Status =>
        _workers.Select(w => new SyslogServerStatus(w.Server, Interlocked.Read(ref w.SentCount), Interlocked.Read(ref w.DroppedCount), w.Connection.Connected, w.LastError)).ToArray();

    /// <inheritdoc />
    public void Send(SyslogMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_workers.Length == 0)
            return;
        var bytes = Rfc5424Formatter.FormatBytes(message);
        foreach (var w in _workers)
        {
            if (!w.Queue.Writer.TryWrite(bytes))
                Interlocked.Increment(ref w.DroppedCount);
        }
    }

    /// <summary>Stops accepting messages, gives the workers a moment to drain, then closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var w in _workers)
            w.Queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers.Select(w => w.Run)).WaitAsync(DrainOnDispose).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var w in _workers)
        {
            await w.Run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            while (w.Queue.Reader.TryRead(out _))
                Interlocked.Increment(ref w.DroppedCount);
            await w.Connection.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    private sealed class Worker
    {
        public readonly SyslogServer Server;
        public readonly Channel<byte[]> Queue;
        public readonly SyslogConnection Connection;
        public readonly Task Run;
        public long SentCount;
        public long DroppedCount;
        public volatile string? LastError;
        private readonly SyslogForwarderOptions _options;

        public Worker(SyslogServer server, SyslogForwarderOptions options, CancellationToken stop)
        {
            Server = server;
            _options = options;
            Queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true });
            Connection = new SyslogConnection(server, options);
            Run = Task.Run(() => LoopAsync(stop), CancellationToken.None);
        }

        private async Task LoopAsync(CancellationToken stop)
        {
            var delay = _options.MinReconnectDelay;
            var reader = Queue.Reader;
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                // Peek, send, then take: a message whose send failed stays first in line for the
                // next connection instead of being lost with the broken one.
                while (reader.TryPeek(out var message))
                {
                    try
                    {
                        await Connection.SendAsync(message, stop).ConfigureAwait(false);
                        reader.TryRead(out _);
                        Interlocked.Increment(ref SentCount);
                        delay = _options.MinReconnectDelay;
                    }
                    catch (Exception e) when (!stop.IsCancellationRequested)
                    {
                        LastError = e.Message;
                        Connection.Reset();
                        if (Server.Transport == SyslogTransport.Udp)
                        {
                            // Datagrams are best effort anyway; retrying one would hold up the rest.
                            reader.TryRead(out _);
                            Interlocked.Increment(ref DroppedCount);
                        }
                        await Task.Delay(delay, stop).ConfigureAwait(false);
                        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                    }
                }
            }
        }
    }
}
