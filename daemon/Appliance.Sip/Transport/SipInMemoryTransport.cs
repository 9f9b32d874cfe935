using System.Net;
using System.Threading.Channels;

namespace Appliance.Sip;

/// <summary>
/// Two transports wired to each other in memory, for tests of the transaction layer without
/// sockets: what one sends, the other receives from the sender's address. <see cref="Deliver"/> can
/// drop messages to exercise retransmission.
/// </summary>
public sealed class SipInMemoryTransport : ISipTransport
{
    private readonly Channel<(byte[] Message, IPEndPoint From)> _inbox = Channel.CreateUnbounded<(byte[], IPEndPoint)>();
    private SipInMemoryTransport? _peer;
    private Task? _pump;
    private int _sent;

    private SipInMemoryTransport(IPEndPoint local, bool reliable)
    {
        LocalEndPoint = local;
        IsReliable = reliable;
    }

    public string Protocol => IsReliable ? "TCP" : "UDP";
    public bool IsReliable { get; }
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Decides, per outgoing message, whether it arrives; null delivers everything.</summary>
    public Func<byte[], bool>? Deliver { get; set; }

    /// <summary>Messages this side has sent (delivered or dropped).</summary>
    public int Sent => Volatile.Read(ref _sent);

    public static (SipInMemoryTransport A, SipInMemoryTransport B) CreatePair(bool reliable = false)
    {
        var a = new SipInMemoryTransport(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), reliable);
        var b = new SipInMemoryTransport(new IPEndPoint(IPAddress.Parse("192.0.2.2"), 5060), reliable);
        (a._peer, b._peer) = (b, a);
        return (a, b);
    }

    public void Start(SipReceiveHandler received, Action<string> problem) => _pump ??= Task.Run(async () =>
    {
        await foreach (var (message, from) in _inbox.Reader.ReadAllAsync().ConfigureAwait(false)) received(this, message, from);
    });

    public ValueTask SendAsync(ReadOnlyMemory<byte> message, IPEndPoint remote, CancellationToken ct)
    {
        Interlocked.Increment(ref _sent);
        var bytes = message.ToArray();
        if (Deliver?.Invoke(bytes) != false) _peer!._inbox.Writer.TryWrite((bytes, LocalEndPoint));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        if (_pump is not null) await _pump.ConfigureAwait(false);
    }
}
