using System.Net;
using System.Diagnostics;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Our direction of one peer link: we dialed, we stream every operation the peer lacks (by its
/// version vector, any origin, so a peer we cannot reach directly still catches up through
/// another) and we send heartbeats. Never touches a socket: it only sees the channel.
/// </summary>
internal sealed class OutboundSession(ClusterService cluster, PeerLink link, PeerChannel channel)
{
    private const int MaxOpsPerBatch = 2000;
    /// <summary>A peer further behind than this (a join, a long outage) recovers on 4371 instead, so the
    /// live stream is not stuck behind a bulk transfer.</summary>
    private const long MaxStreamBacklog = 20_000;
    /// <summary>
    /// Ops of a third peer are relayed only when the receiver has not got them within this time:
    /// normally their origin streams them itself and the receiver's acks say so. Relaying at once
    /// would make every op of a 3-peer cluster arrive twice.
    /// </summary>
    private static readonly TimeSpan RelayDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan RelayPoll = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// Commits and acks wake the send loop; this wait only catches what no signal announces. An idle
    /// cluster paid a wake-up a second per link for it (issue 19).
    /// </summary>
    private static readonly TimeSpan IdleSendCheck = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinSilenceCheck = TimeSpan.FromMilliseconds(10);
    /// <summary>One beat in this many asks for an ack while the peer's connection brings its own beats.</summary>
    private const int AckEvery = 4;
    private const int FirstBeatsAnswered = 8;
    /// <summary>The peer's connection counts as quiet after a beat and a half without a frame: then every beat asks.</summary>
    private static readonly TimeSpan InboundQuiet = ClusterService.HeartbeatInterval * 1.5;
    /// <summary>
    /// Our connection must bring something back within this: DeadAfter plus the beats that ask no
    /// ack, so the sparse acks never look like silence; the peer's own silence is still DeadAfter.
    /// </summary>
    private static readonly TimeSpan ConnectionDeadAfter = ClusterService.DeadAfter + ClusterService.HeartbeatInterval * AckEvery;
    private readonly Signal _wake = new();
    private readonly Dictionary<string, long> _sent = [];
    /// <summary>Per third-peer origin: the position the receiver lacked and since when.</summary>
    private readonly Dictionary<string, (long Seq, long Since)> _behind = [];
    private long _lastHeard = Stopwatch.GetTimestamp();
    private int _catchUpAsked;
    private bool _catchUpLogged;
    private string? _receiver;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _beating;
    private long _nextBeat;
    private long _beats;
    private Task? _beatSending;

    public async Task RunAsync(CancellationToken ct)
    {
        var local = cluster.LocalHello();
        await channel.SendAsync(FrameType.Hello, local.Encode(), ct);
        var frame = await channel.ReceiveAsync(ct).AsTask().WaitAsync(ClusterService.HelloTimeout, ct)
            ?? throw new IOException("peer closed the connection before answering Hello");
        if (frame.Type is not (FrameType.HelloReply or FrameType.HelloReject))
            throw new ProtocolViolationException($"expected HelloReply, got {FrameType.Describe(frame.Type)}");
        var answer = Messages.Decode<HelloAnswer>(frame);
        // Our own comparison first, so details (e.g. "peer runs X", "peer 1's address") are from our
        // side of the link; the peer's refusal otherwise, so we never adopt what it refused.
        var refusal = HelloCheck.Compare(local, answer.Hello, cluster.OwnAddress, link.Address) ?? cluster.ForgottenRefusal(answer.Hello)
            ?? (ClusterService.NeedsAdoption(local, answer.Hello) ? cluster.JoinRefusal(local, answer.Hello) : null);
        if (answer.Reason is { } r && refusal is null or (PeerReasons.Joining, _)) refusal = (r, answer.Detail);
        if (refusal is { } refused)
        {
            link.Refused(refused.Item1, refused.Item2);
            if (refused.Item1 == PeerReasons.Joining) cluster.AdoptIfNeeded(local, answer.Hello);
            return;
        }

        foreach (var (origin, seq) in answer.Hello.VersionVector) _sent[origin] = seq;
        _receiver = answer.Hello.PeerId;
        cluster.Acknowledged(link, _receiver, answer.Hello.VersionVector);
        link.Up(outbound: true, answer.Hello.PeerId, answer.Hello.HostName, answer.Hello.SoftwareVersion,
            HelloCheck.ListInTransition(local, answer.Hello, cluster.OwnAddress, link.Address));
        cluster.Store.CommittedFirst += OnCommitted;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var tasks = new[] { SendLoop(stop.Token), HeartbeatLoop(stop.Token), ReadLoop(stop.Token) };
            await Task.WhenAny(tasks);
            await stop.CancelAsync();
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var t in tasks) if (t.IsFaulted) await t; // surface the first failure to the dialer's log
        }
        finally
        {
            cluster.Store.CommittedFirst -= OnCommitted;
            link.Down(outbound: true);
        }
    }

    private void OnCommitted(CommitInfo _) => _wake.Set();

    private async Task SendLoop(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var (batch, relayWaiting) = CollectMissing();
            if (batch.Ranges.Count == 0)
            {
                await _wake.WaitAsync(relayWaiting ? RelayPoll : IdleSendCheck, ct);
                continue;
            }
            await channel.SendAsync(FrameType.OpBatch, OpCodec.Encode(batch), ct);
            lock (_sent) foreach (var r in batch.Ranges) _sent[r.Origin] = Math.Max(_sent.GetValueOrDefault(r.Origin), r.Through);
        }
    }

    /// <summary>The peer is too far behind for the stream: ask it to pull over recovery (4371), once until it acks.</summary>
    private void AskForCatchUp(string origin, long peerHas)
    {
        if (Interlocked.Exchange(ref _catchUpAsked, 1) != 0) return;
        if (!_catchUpLogged) cluster.Logs.Event($"peer {link.Address} is more than {MaxStreamBacklog} operations of {origin} behind, " +
            $"or behind a purged tombstone (it has {peerHas}): asking it to recover in bulk");
        _catchUpLogged = true;
        _ = channel.SendAsync(FrameType.CatchUpRequest, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
    }

    private (OpBatch Batch, bool RelayWaiting) CollectMissing()
    {
        lock (_sent) return CollectMissingLocked();
    }

    private (OpBatch, bool) CollectMissingLocked()
    {
        var ops = new List<Operation>();
        var ranges = new List<OpRange>();
        var relayWaiting = false;
        var now = Stopwatch.GetTimestamp();
        var purged = cluster.Store.PurgedThrough();
        foreach (var (origin, have) in cluster.Store.VersionVector())
        {
            // The receiver wrote its own ops and never acks them to us (its position moves by local
            // commits): without this, each of its writes would come back to it after the relay delay.
            if (origin == _receiver) continue;
            var sent = _sent.GetValueOrDefault(origin);
            if (have <= sent) continue;
            if (origin != cluster.Store.PeerId)
            {
                if (!_behind.TryGetValue(origin, out var behind) || sent >= behind.Seq) _behind[origin] = behind = (have, now);
                if (Stopwatch.GetElapsedTime(behind.Since, now) < RelayDelay)
                {
                    relayWaiting = true;
                    continue;
                }
            }
            // Behind a purged tombstone: the log no longer holds that delete, only full recovery brings it.
            if (have - sent > MaxStreamBacklog || sent < purged.GetValueOrDefault(origin))
            {
                AskForCatchUp(origin, sent);
                continue;
            }
            var slice = cluster.Store.ReadOps(origin, sent, MaxOpsPerBatch - ops.Count);
            if (slice.Through <= sent) continue;
            ops.AddRange(slice.Ops);
            ranges.Add(new OpRange(origin, sent, slice.Through));
            if (ops.Count >= MaxOpsPerBatch) break;
        }
        return (new OpBatch(ops, ranges), relayWaiting);
    }

    /// <summary>Lives as long as the session beats; <see cref="Tick"/>, on the peer's heartbeat thread, ends it.</summary>
    private async Task HeartbeatLoop(CancellationToken ct)
    {
        _beating = ct;
        cluster.Heartbeats.Add(this);
        try
        {
            await _ended.Task.WaitAsync(ct);
        }
        finally
        {
            cluster.Heartbeats.Remove(this);
        }
    }

    /// <summary>
    /// On the heartbeat thread: ends the session when the peer has gone silent, sends the beat when
    /// one is due, and says how soon the thread must come back: the next beat, or sooner when the
    /// peer's silence reaches DeadAfter first (a peer that froze is dropped DeadAfter after it was
    /// last heard, not up to a beat later). Never throws and never waits for the send.
    /// </summary>
    internal TimeSpan Tick(long now)
    {
        // Ended, or stopping (the thread may still hold the session for a turn): nothing to send or judge.
        if (_ended.Task.IsCompleted || _beating.IsCancellationRequested) return Timeout.InfiniteTimeSpan;
        try
        {
            if (PeerSilence() > ClusterService.DeadAfter)
                throw new TimeoutException($"peer {link.Address} silent for {ClusterService.DeadAfter.TotalSeconds:0} s");
            // The peer lives (its connection says so) but ours brings nothing back: a one-way fault.
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastHeard)) > ConnectionDeadAfter)
                throw new TimeoutException($"peer {link.Address} has not answered on our connection for {ConnectionDeadAfter.TotalSeconds:0} s");
            if (now >= _nextBeat)
            {
                // A beat still being sent (the connection is stuck) is not followed by another: the silence ends the session.
                if (_beatSending is not { IsCompleted: false }) _beatSending = SendBeatAsync();
                _nextBeat = HeartbeatThread.NextBeat(now);
            }
            var untilDead = ClusterService.DeadAfter - PeerSilence();
            var untilBeat = Stopwatch.GetElapsedTime(now, _nextBeat);
            return TimeSpan.FromTicks(Math.Min(untilBeat.Ticks, Math.Max(untilDead.Ticks, MinSilenceCheck.Ticks)));
        }
        catch (Exception e)
        {
            _ended.TrySetException(e);
            return Timeout.InfiniteTimeSpan;
        }
    }

    /// <summary>Runs on the heartbeat thread until the send waits; a failed send ends the session.</summary>
    private async Task SendBeatAsync()
    {
        // An ack per beat is needed only while the peer's own connection is quiet (its beats are
        // then our only news of it); otherwise one in AckEvery keeps the RTT and clock offset
        // measured and shows this connection carries answers. Half the idle frames (issue 19).
        // The first beats all ask, so the smoothed RTT leaves a slow first sample (TLS and JIT
        // just done) as fast as before and no RTT alarm outlives it.
        var inboundQuiet = Stopwatch.GetElapsedTime(link.InboundHeard) > InboundQuiet;
        var noAck = !inboundQuiet && _beats >= FirstBeatsAnswered && _beats % AckEvery != 0;
        _beats++;
        var beat = new HeartbeatMessage(Stopwatch.GetTimestamp(), cluster.Time.GetUtcNow().ToUnixTimeMilliseconds(), noAck);
        try
        {
            await channel.SendAsync(FrameType.Heartbeat, Messages.Encode(beat), _beating);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _ended.TrySetException(e);
        }
    }

    /// <summary>Since the peer was last heard on either connection of the pair.</summary>
    private TimeSpan PeerSilence() =>
        Stopwatch.GetElapsedTime(Math.Max(Interlocked.Read(ref _lastHeard), link.InboundHeard));

    private async Task ReadLoop(CancellationToken ct)
    {
        while (await channel.ReceiveAsync(ct) is { } frame)
        {
            Interlocked.Exchange(ref _lastHeard, Stopwatch.GetTimestamp());
            switch (frame.Type)
            {
                case FrameType.HeartbeatAck:
                    var ack = Messages.Decode<HeartbeatMessage>(frame);
                    var rtt = Stopwatch.GetElapsedTime(ack.Sent);
                    var now = cluster.Time.GetUtcNow().ToUnixTimeMilliseconds();
                    link.Measured(rtt.TotalMilliseconds, ack.Wall - (now - rtt.TotalMilliseconds / 2));
                    cluster.LinkMeasured(link);
                    break;
                case FrameType.Ack:
                    // The peer's positions; after a recovery they may be ahead of what we sent.
                    var acked = Messages.Decode<AckMessage>(frame);
                    cluster.Acknowledged(link, _receiver!, acked.VersionVector);
                    lock (_sent)
                        foreach (var (origin, seq) in acked.VersionVector)
                            if (seq > _sent.GetValueOrDefault(origin)) _sent[origin] = seq;
                    Interlocked.Exchange(ref _catchUpAsked, 0);
                    _wake.Set();
                    link.Seen();
                    break;
                case FrameType.Goodbye:
                    return;
                default:
                    throw new ProtocolViolationException($"unexpected {FrameType.Describe(frame.Type)} on the sending side");
            }
        }
    }
}
