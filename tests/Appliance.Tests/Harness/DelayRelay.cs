using System.Net;
using System.Net.Sockets;

namespace Appliance.Tests.Harness;

/// <summary>
/// Adds latency between two test hosts without tc netem (absent here): a user-space TCP relay in
/// the switch namespace. For each direction A->B it takes an address R_AB on the bridge; in A's
/// namespace an nft DNAT rule sends A's connections to B's cluster ports to R_AB instead, the relay
/// connects on to B from R_AB, and in B's namespace an input SNAT rule rewrites R_AB back to A.
/// So each daemon still sees the other's real address (the peer list check holds) while every
/// byte waits <see cref="OneWayDelay"/> in the relay. Connections that existed before the relay
/// keep their direct path (conntrack); new ones go through it.
/// </summary>
public sealed partial class DelayRelay : IAsyncDisposable
{
    private readonly NetnsThread _switch;
    private readonly List<Socket> _listeners = [];
    private readonly List<(string Ns, string Table)> _tables = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<Task> _tasks = [];
    private readonly Action<string> _log;
    private long _delayTicks;
    private int _connections;

    private DelayRelay(NetnsThread sw, TimeSpan oneWay, Action<string> log)
    {
        _switch = sw;
        OneWayDelay = oneWay;
        _log = log;
    }

    /// <summary>Added to every byte in each direction; changing it applies to bytes read from now on.</summary>
    public TimeSpan OneWayDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>Connections relayed so far (both directions).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Routes TCP connections between <paramref name="a"/> and <paramref name="b"/> on <paramref name="ports"/> (both directions) through the relay.</summary>
    public static async Task<DelayRelay> StartAsync(TestNetwork network, TestHost a, TestHost b, TimeSpan oneWay,
        IReadOnlyList<int> ports, Action<string>? log = null)
    {
        var relay = new DelayRelay(new NetnsThread(network.SwitchNamespace), oneWay, log ?? (_ => { }));
        try
        {
            await relay.AddDirectionAsync(network, a, b, ports).ConfigureAwait(false);
            await relay.AddDirectionAsync(network, b, a, ports).ConfigureAwait(false);
        }
        catch
        {
            await relay.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return relay;
    }

    private async Task AddDirectionAsync(TestNetwork network, TestHost from, TestHost to, IReadOnlyList<int> ports)
    {
        var via = await network.AddSwitchAddressAsync().ConfigureAwait(false);
        foreach (var port in ports)
        {
            var listener = await _switch.RunAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ConfigureAwait(false);
            _listeners.Add(listener);
            listener.Bind(new IPEndPoint(IPAddress.Parse(via), port));
            listener.Listen(16);
            _tasks.Add(AcceptLoop(listener, via, new IPEndPoint(IPAddress.Parse(to.Address), port)));
        }
        var portSet = string.Join(", ", ports);
        var dnat = $"harness_relay_to_{to.Name}";
        await HostCommand.NftAsync(from.Namespace, $$"""
            table ip {{dnat}} {
                chain output {
                    type nat hook output priority -100; policy accept;
                    ip daddr {{to.Address}} tcp dport { {{portSet}} } dnat to {{via}}
                }
            }

            """).ConfigureAwait(false);
        _tables.Add((from.Namespace, dnat));
        var snat = $"harness_relay_from_{from.Name}";
        await HostCommand.NftAsync(to.Namespace, $$"""
            table ip {{snat}} {
                chain input {
                    type nat hook input priority 100; policy accept;
                    ip saddr {{via}} snat to {{from.Address}}
                }
            }

            """).ConfigureAwait(false);
        _tables.Add((to.Namespace, snat));
        _log($"relay: {from.Name} -> {to.Name} via {via} ports {portSet}, {OneWayDelay.TotalMilliseconds:0} ms each way");
    }

    private async Task AcceptLoop(Socket listener, string via, IPEndPoint target)
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket accepted;
            try { accepted = await listener.AcceptAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            Interlocked.Increment(ref _connections);
            _tasks.Add(RelayAsync(accepted, via, target, ct));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var l in _listeners) l.Dispose();
        foreach (var (ns, table) in _tables)
        {
            var result = await HostCommand.TryRunAsync("ip", ["netns", "exec", ns, "nft", "delete", "table", "ip", table]).ConfigureAwait(false);
            if (result.ExitCode != 0) _log($"relay: could not delete {table} in {ns}: {result.Stderr.Trim()}");
        }
        try { await Task.WhenAll(_tasks.ToList()).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or SocketException or IOException) { }
        _switch.Dispose();
        _stop.Dispose();
    }
}
