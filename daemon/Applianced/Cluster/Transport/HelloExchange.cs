using System.Net;

namespace Appliance.Daemon.Cluster.Transport;

public static class HelloExchange
{
    /// <summary>
    /// Both sides send their Hello first and then read the peer's: symmetric, one round trip, no
    /// side waits on the other to speak. Comparing the two and answering HelloReply/HelloReject
    /// is the caller's decision.
    /// </summary>
    public static async Task<HelloMessage> ExchangeAsync(PeerChannel channel, HelloMessage local, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(local);
        var send = channel.SendAsync(FrameType.Hello, local.Encode(), ct);
        var frame = await channel.ReceiveAsync(ct).ConfigureAwait(false)
            ?? throw new IOException("the peer closed the connection before sending its Hello");
        await send.ConfigureAwait(false);
        if (frame.Type != FrameType.Hello)
            throw new ProtocolViolationException($"expected Hello first, got {FrameType.Describe(frame.Type)}");
        return HelloMessage.Decode(frame.Payload.Span);
    }
}
