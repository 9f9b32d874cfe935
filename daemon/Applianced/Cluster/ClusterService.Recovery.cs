using System.Collections.Concurrent;
using System.Net;
using Appliance.Daemon.Cluster.Recovery;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Recovery on 4371: anti-entropy pulls from one peer, run when a link becomes active (a peer
/// connects, a partition heals, a restored peer comes back), when a sender reports that we are too
/// far behind for the live stream (a join), and on a slow timer as a safety net.
/// </summary>
public sealed partial class ClusterService
{
    public static readonly TimeSpan SafetyNetInterval = TimeSpan.FromSeconds(60);
    /// <summary>
    /// How long after a link becomes active we pull from that peer. By then the live stream has
    /// normally delivered what the operation log holds, so the pull is a no-difference digest
    /// compare (about 1 KB); it still repairs what the log cannot carry (records merged by an
    /// earlier recovery or a restore, a gap) without waiting for the safety net.
    /// </summary>
    public static readonly TimeSpan ConnectPullDelay = TimeSpan.FromSeconds(3);
    private readonly ConcurrentDictionary<string, Task<RecoveryResult?>> _pulls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _connectPulls = new(StringComparer.Ordinal);
    private TransportListener? _recoveryListener;
    private ITimer? _safetyNet;

    private void StartRecoveryListener(IPAddress own)
    {
        _recoveryListener = _transport.Listen(new IPEndPoint(own, _info.RecoveryPort), ServeRecoveryAsync, IsListedPeer);
        _safetyNet ??= Time.CreateTimer(_ => SafetyNetRound(), null, UntilSafetyNet(), Timeout.InfiniteTimeSpan);
        _ = Task.Run(() => Store.WithDigests(_ => 0)); // build the digest index before the first peer asks
    }

    /// <summary>Pulls from every active peer, then waits for this peer's next slot (SafetyNetSchedule).</summary>
    private void SafetyNetRound()
    {
        foreach (var link in Links.Where(l => l.Active)) _ = PullFromAsync(link);
        try { _safetyNet?.Change(UntilSafetyNet(), Timeout.InfiniteTimeSpan); }
        catch (ObjectDisposedException) { } // stopped meanwhile
    }

    private TimeSpan UntilSafetyNet() => SafetyNetSchedule.UntilNext(Time.GetUtcNow(),
        SafetyNetSchedule.Slot(Settings.SortedPeers, OwnAddress, SafetyNetInterval), SafetyNetInterval);

    private async Task StopRecoveryListenerAsync()
    {
        if (_safetyNet is not null) await _safetyNet.DisposeAsync();
        _safetyNet = null;
        if (_recoveryListener is not null) await _recoveryListener.DisposeAsync();
        _recoveryListener = null;
    }

    private async Task ServeRecoveryAsync(PeerChannel channel, CancellationToken ct)
    {
        try
        {
            var hello = await channel.ReceiveAsync(ct).AsTask().WaitAsync(HelloTimeout, ct);
            if (hello?.Type != FrameType.Hello) return;
            var remote = HelloMessage.Decode(hello.Payload.Span);
            var local = LocalHello();
            var refusal = HelloCheck.Compare(local, remote, OwnAddress, channel.RemoteEndPoint?.Address.ToString())
                ?? (local.ClusterId is null || local.ClusterId != remote.ClusterId ? (PeerReasons.OtherCluster, remote.ClusterId) : null);
            if (refusal is { } r)
            {
                await channel.SendAsync(FrameType.HelloReject, Messages.Encode(new HelloAnswer(local, r.Item1, r.Item2)), ct);
                return;
            }
            await channel.SendAsync(FrameType.HelloReply, Messages.Encode(new HelloAnswer(local, null, null)), ct);
            await new RecoveryServer(Store).ServeAsync(channel, ct);
        }
        catch (Exception e) when (e is ProtocolViolationException or IOException or TimeoutException or OperationCanceledException)
        {
            if (e is ProtocolViolationException) Logs.Event($"recovery: connection from {channel.RemoteEndPoint}: {e.Message}", "warning");
        }
    }

    /// <summary>
    /// One pull from a peer <see cref="ConnectPullDelay"/> after its link became active. At most one
    /// is pending per link, so a flapping link costs at most one pull per delay; stopping or
    /// restarting the sessions cancels it, and a link that is down or gone by then is skipped
    /// (its next activation schedules again).
    /// </summary>
    private void ScheduleConnectPull(PeerLink link)
    {
        if (!_connectPulls.TryAdd(link.Address, 0)) return;
        var stop = _sessions.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(ConnectPullDelay, Time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                _connectPulls.TryRemove(link.Address, out _);
            }
            bool current;
            lock (_gate) current = _links.TryGetValue(link.Address, out var now) && now == link;
            if (current && link.Active) await PullFromAsync(link);
        });
    }

    /// <summary>Pulls what we lack from one peer; concurrent requests for the same peer share one pull.</summary>
    internal Task<RecoveryResult?> PullFromAsync(PeerLink link) =>
        _pulls.GetOrAdd(link.Address, _ => Task.Run(async () =>
        {
            try
            {
                // One pull at a time: after a bulk pull from one peer, the next is a cheap digest compare
                // instead of a second copy of the same records from another peer.
                await _pullOneAtATime.WaitAsync(_sessions.Token);
                try { return await WithRecoveryChannel(link, (client, ct) => TrackedPullAsync(link, client, ct)); }
                finally { _pullOneAtATime.Release(); }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return null; }
            finally { _pulls.TryRemove(link.Address, out var _); }
        }));

    private readonly SemaphoreSlim _pullOneAtATime = new(1, 1);

    /// <summary>Opens an authenticated 4371 session to a peer, checks Hellos, runs the work, closes.</summary>
    private async Task<T?> WithRecoveryChannel<T>(PeerLink link, Func<RecoveryClient, CancellationToken, Task<T>> work) where T : class
    {
        var own = _info.OwnAddress();
        if (own is null) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_sessions.Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await using var channel = await _transport.ConnectAsync(
                new IPEndPoint(IPAddress.Parse(link.Address), _info.RecoveryPort), timeout.Token, IPAddress.Parse(own));
            await channel.SendAsync(FrameType.Hello, LocalHello().Encode(), timeout.Token);
            var answer = await channel.ReceiveAsync(timeout.Token) ?? throw new IOException("peer closed the recovery connection");
            if (answer.Type != FrameType.HelloReply) return null;
            var result = await work(new RecoveryClient(Store, channel) { Pace = RecoveryBatchPause }, timeout.Token);
            if (result is RecoveryResult r && r.RecordsReceived > 0)
                Logs.Event($"recovery from {link.Address}: {r.RecordsReceived} records in {r.Differing.Count} collections " +
                           $"({r.BytesSent} bytes sent, {r.BytesReceived} received)");
            return result;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logs.Event($"recovery from {link.Address} failed: {e.GetType().Name}: {e.Message}", "warning");
            return null;
        }
    }

    /// <summary>Every peer's collection digests, for `cluster verify`.</summary>
    public async Task<IReadOnlyDictionary<string, CollectionsReply?>> CollectDigestsAsync()
    {
        var result = new Dictionary<string, CollectionsReply?>(StringComparer.Ordinal);
        foreach (var link in Links)
            result[link.Address] = await WithRecoveryChannel(link, async (client, ct) =>
            {
                var reply = await client.CollectionsAsync(ct);
                return reply;
            });
        return result;
    }
}
