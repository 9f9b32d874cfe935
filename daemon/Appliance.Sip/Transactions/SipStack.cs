using System.Collections.Concurrent;
using System.Net;

namespace Appliance.Sip;

/// <summary>
/// The transaction layer over a set of transports: parses what arrives, matches it to a transaction
/// (17.1.3, 17.2.3), starts server transactions for new requests and hands them to
/// <see cref="RequestReceived"/>, and starts client transactions for requests the user sends. Knows
/// nothing of dialogs or calls: those belong to its user.
/// </summary>
public sealed partial class SipStack : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SipClientTransaction> _clients = new();
    private readonly ConcurrentDictionary<string, SipServerTransaction> _servers = new();
    private readonly ConcurrentDictionary<string, SipServerTransaction> _accepted = new();
    private readonly List<ISipTransport> _transports = [];
    private readonly Lock _gate = new();

    public SipStack(SipTimers? timers = null, SipLimits? limits = null, TimeProvider? time = null)
    {
        Timers = timers ?? SipTimers.Default;
        Limits = limits ?? SipLimits.Default;
        Time = time ?? TimeProvider.System;
    }

    public SipTimers Timers { get; }
    public SipLimits Limits { get; }
    public TimeProvider Time { get; }

    /// <summary>
    /// A new request (anything but ACK) in its new server transaction. Runs on the thread pool; an
    /// exception, or a return without a final response to a non-INVITE, is answered 500.
    /// </summary>
    public Func<SipServerTransaction, Task>? RequestReceived { get; set; }

    /// <summary>An ACK outside any transaction: the ACK of a 2xx, which belongs to the dialog.</summary>
    public event Action<SipRequest, SipEndPoint>? AckReceived;

    /// <summary>A response no client transaction waits for (a 2xx retransmitted after the transaction ended).</summary>
    public event Action<SipResponse, SipEndPoint>? UnmatchedResponse;

    /// <summary>What was dropped and why (unparseable input, transport errors), for the log.</summary>
    public event Action<string>? Problem;

    public int TransactionCount => _clients.Count + _servers.Count;

    // For testing: the states of the server transactions.
    internal IReadOnlyCollection<SipServerTransaction> ServerTransactions => [.. _servers.Values];

    public IReadOnlyList<ISipTransport> Transports
    {
        get { lock (_gate) return [.. _transports]; }
    }

    /// <summary>Starts receiving on <paramref name="transport"/>; the stack disposes it when removed or disposed.</summary>
    public void AddTransport(ISipTransport transport)
    {
        lock (_gate) _transports.Add(transport);
        transport.Start(OnReceived, Report);
    }

    public async ValueTask RemoveTransportAsync(ISipTransport transport)
    {
        lock (_gate) _transports.Remove(transport);
        await transport.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request in a new client transaction. A request without a Via gets one naming the
    /// transport's local address, a fresh branch and rport; a CANCEL keeps its INVITE's Via.
    /// </summary>
    public SipClientTransaction SendRequest(SipRequest request, ISipTransport transport, IPEndPoint remote, Action<SipResponse>? onResponse = null)
    {
        if (request.Method == SipMethods.Ack) throw new ArgumentException("an ACK is not a transaction: send it with SendAckAsync", nameof(request));
        AddViaIfMissing(request, transport);
        var key = ClientKey(request.TopVia.Branch!, request.CSeq.Method);
        var transaction = new SipClientTransaction(this, request, new SipEndPoint(transport, remote), key);
        if (!_clients.TryAdd(key, transaction)) throw new InvalidOperationException($"a client transaction with branch {request.TopVia.Branch} is already running");
        // Subscribed before the request leaves: a response that comes back at once is not missed.
        if (onResponse is not null) transaction.ResponseReceived += onResponse;
        transaction.Start();
        return transaction;
    }

    /// <summary>Sends the ACK of a 2xx (13.2.2.4), outside any transaction; it gets a Via of its own when it has none.</summary>
    public Task SendAckAsync(SipRequest ack, ISipTransport transport, IPEndPoint remote)
    {
        AddViaIfMissing(ack, transport);
        return SendAsync(ack.ToBytes(), new SipEndPoint(transport, remote));
    }

    private static void AddViaIfMissing(SipRequest request, ISipTransport transport)
    {
        if (request.Headers.Contains(SipHeaderNames.Via)) return;
        var local = transport.LocalEndPoint;
        var via = new SipVia(transport.Protocol, Host(local.Address), local.Port, SipIds.NewBranch());
        via.Parameters["rport"] = null;
        request.Headers.Prepend(SipHeaderNames.Via, via.ToString());
    }

    /// <summary>An address as a SIP URI or Via host ([..] around IPv6).</summary>
    public static string Host(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    /// <summary>Sends bytes; a failure is reported, never thrown (the transaction's timers handle loss).</summary>
    internal async Task SendAsync(byte[] wire, SipEndPoint to)
    {
        try
        {
            await to.Transport.SendAsync(wire, to.Remote, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Report($"send to {to} failed: {e.Message}");
        }
    }

    /// <summary>A client transaction's send: a failure over a stream ends it with 503 (8.1.3.1); over UDP the timers retry.</summary>
    internal void SendFromTransaction(byte[] wire, SipEndPoint to, SipClientTransaction transaction) => _ = Task.Run(async () =>
    {
        try
        {
            await to.Transport.SendAsync(wire, to.Remote, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Report($"send to {to} failed: {e.Message}");
            if (to.Transport.IsReliable) transaction.Fail(503, $"Service Unavailable (transport error: {e.Message})");
        }
    });

    internal void Forget(SipClientTransaction t) => _clients.TryRemove(new KeyValuePair<string, SipClientTransaction>(t.Key, t));

    internal void Forget(SipServerTransaction t) => _servers.TryRemove(new KeyValuePair<string, SipServerTransaction>(t.Key, t));

    /// <summary>Indexes an INVITE answered 2xx by dialog and CSeq, where its ACK (another branch) finds it.</summary>
    internal void Accepted(SipServerTransaction t, bool add)
    {
        var key = AckKey(t.Request.CallId, t.Request.CSeq.Number, t.Request.From.Tag);
        if (add) _accepted[key] = t;
        else _accepted.TryRemove(new KeyValuePair<string, SipServerTransaction>(key, t));
    }

    private void Report(string problem) => Problem?.Invoke(problem);

    public async ValueTask DisposeAsync()
    {
        foreach (var t in _clients.Values) t.Terminate();
        foreach (var t in _servers.Values) t.Terminate();
        foreach (var transport in Transports) await RemoveTransportAsync(transport).ConfigureAwait(false);
    }
}
