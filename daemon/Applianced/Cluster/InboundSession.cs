using System.Net;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// The peer's direction of a link: it dialed us; we check its Hello, then apply the operations it
/// streams in batches (one transaction each) and answer heartbeats. A peer silent for 3 s is down.
/// </summary>
internal sealed class InboundSession(ClusterService cluster, PeerChannel channel)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var first = await channel.ReceiveAsync(ct).AsTask().WaitAsync(ClusterService.HelloTimeout, ct);
        if (first is null) return;
        if (first.Type != FrameType.Hello) throw new ProtocolViolationException($"expected Hello, got {FrameType.Describe(first.Type)}");
        var remote = HelloMessage.Decode(first.Payload.Span);
        var local = cluster.LocalHello();
        var link = cluster.LinkFor(channel.RemoteEndPoint?.Address.ToString(), remote);
        if (link is null && channel.RemoteEndPoint is { } from) cluster.StrangerDialed(from.Address, remote);
        var refusal = link is null
            ? (PeerReasons.PeerListMismatch, "this peer does not list you")
            : HelloCheck.Compare(local, remote, cluster.OwnAddress, link.Address) ?? cluster.ForgottenRefusal(remote);
        if (refusal is null && ClusterService.NeedsAdoption(local, remote)) refusal = cluster.JoinRefusal(local, remote);
        if (refusal is { } refused)
        {
            await channel.SendAsync(FrameType.HelloReject, Messages.Encode(new HelloAnswer(local, refused.Item1, refused.Item2)), ct);
            link?.Refused(refused.Item1, refused.Item1 == PeerReasons.VersionMismatch ? remote.SoftwareVersion : refused.Item2);
            if (refused.Item1 == PeerReasons.Joining) cluster.AdoptIfNeeded(local, remote);
            return;
        }
        await channel.SendAsync(FrameType.HelloReply, Messages.Encode(new HelloAnswer(local, null, null)), ct);
        link!.Up(outbound: false, remote.PeerId, remote.HostName, remote.SoftwareVersion,
            HelloCheck.ListInTransition(local, remote, cluster.OwnAddress, link.Address));
        cluster.Acknowledged(link, remote.PeerId, remote.VersionVector);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var acks = AckChangesLoop(stop.Token);
        var applier = new BatchApplier(cluster, link);
        var applying = applier.RunAsync(stop.Token);
        try
        {
            await ReceiveLoop(link, applier, ct);
        }
        finally
        {
            applier.Complete();
            await stop.CancelAsync();
            await acks;
            link.Down(outbound: false);
        }
        await applying; // a store failure while applying ends the session with that error
    }

    /// <summary>
    /// Tells the sender our position whenever it moves, through its own batches or other peers'
    /// streams (at most every 100 ms), so it knows what it need not send or relay.
    /// </summary>
    private async Task AckChangesLoop(CancellationToken ct)
    {
        var moved = new Signal();
        void OnCommitted(Store.CommitInfo c)
        {
            if (c.Remote) moved.Set();
        }
        cluster.Store.Committed += OnCommitted;
        try
        {
            while (true)
            {
                await moved.WaitAsync(Timeout.InfiniteTimeSpan, ct);
                await SendPositionAsync(ct);
                await Task.Delay(AckInterval, cluster.Time, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        finally
        {
            cluster.Store.Committed -= OnCommitted;
        }
    }

    private static readonly TimeSpan AckInterval = TimeSpan.FromMilliseconds(100);

    private Task SendPositionAsync(CancellationToken ct) =>
        channel.SendAsync(FrameType.Ack, Messages.Encode(new AckMessage(cluster.Store.VersionVector())), ct);

    private int _catchingUp;

    /// <summary>
    /// The sender says we are too far behind for the stream: pull from it over 4371, then tell it where we are now.
    /// One pull at a time per link; a failed pull (4371 blocked, say) is retried with a growing
    /// pause instead of being acknowledged, so the two peers never spin asking and failing.
    /// </summary>
    private async Task CatchUpAsync(PeerLink link, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _catchingUp, 1) != 0) return;
        try
        {
            var pause = TimeSpan.FromSeconds(2);
            while (await cluster.PullFromAsync(link) is null)
            {
                await Task.Delay(pause, cluster.Time, ct);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
            }
            await SendPositionAsync(ct);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { }
        finally
        {
            Interlocked.Exchange(ref _catchingUp, 0);
        }
    }

    private async Task ReceiveLoop(PeerLink link, BatchApplier applier, CancellationToken ct)
    {
        while (true)
        {
            Frame? frame;
            try
            {
                frame = await channel.ReceiveAsync(ct).AsTask().WaitAsync(ClusterService.DeadAfter, ct);
            }
            catch (TimeoutException)
            {
                cluster.Logs.Event($"peer {link.Address} silent for {ClusterService.DeadAfter.TotalSeconds:0} s: closing its link", "warning");
                return;
            }
            if (frame is null || frame.Type == FrameType.Goodbye) return;
            link.Seen();
            link.HeardInbound();
            switch (frame.Type)
            {
                case FrameType.OpBatch:
                    await applier.PostAsync(OpCodec.DecodeBatch(frame), ct);
                    break;
                case FrameType.CatchUpRequest:
                    _ = CatchUpAsync(link, ct);
                    break;
                case FrameType.Heartbeat:
                    var beat = Messages.Decode<HeartbeatMessage>(frame);
                    if (beat.NoAck) break;
                    var reply = beat with { Wall = cluster.Time.GetUtcNow().ToUnixTimeMilliseconds() };
                    await channel.SendAsync(FrameType.HeartbeatAck, Messages.Encode(reply), ct);
                    break;
                default:
                    throw new ProtocolViolationException($"unexpected {FrameType.Describe(frame.Type)} on the receiving side");
            }
        }
    }
}
