using System.Net;

namespace Appliance.Sip;

/// <summary>One message (whole: a datagram, or cut from a stream by <see cref="SipFraming"/>) and where it came from.</summary>
public delegate void SipReceiveHandler(ISipTransport transport, ReadOnlyMemory<byte> message, IPEndPoint remote);

/// <summary>
/// A SIP transport bound to one local address: UDP, TCP, an in-memory pair for tests, or TLS as a
/// subclass of <see cref="SipTcpTransport"/>. The transaction layer only sees this.
/// </summary>
public interface ISipTransport : IAsyncDisposable
{
    /// <summary>"UDP", "TCP" or "TLS": the Via's transport.</summary>
    string Protocol { get; }

    /// <summary>True for streams: no retransmissions, timers D, I, J, K are zero (RFC 3261 17).</summary>
    bool IsReliable { get; }

    IPEndPoint LocalEndPoint { get; }

    /// <summary>Starts delivering messages; <paramref name="problem"/> hears what was dropped and why.</summary>
    void Start(SipReceiveHandler received, Action<string> problem);

    ValueTask SendAsync(ReadOnlyMemory<byte> message, IPEndPoint remote, CancellationToken ct);
}

/// <summary>Where a message came from or goes to: a transport and the remote address.</summary>
public readonly record struct SipEndPoint(ISipTransport Transport, IPEndPoint Remote)
{
    public override string ToString() => $"{Transport.Protocol} {Remote}";
}
