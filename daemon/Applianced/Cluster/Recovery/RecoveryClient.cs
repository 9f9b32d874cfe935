using System.Net;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Progress;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster.Recovery;

/// <summary>What one recovery pull did: collections that differed, records received, payload bytes both ways.</summary>
public sealed record RecoveryResult(IReadOnlyList<string> Differing, int RecordsReceived, long BytesSent, long BytesReceived);

/// <summary>
/// Pulls from one peer what this peer lacks: compares collection digests, descends into the
/// buckets that differ, and fetches only the records that differ (newer wins, tombstones too).
/// Records held here that the peer holds none of are noted on the way: those the peer deleted and
/// purged are dropped (Store.DropPurgedElsewhere), the others wait for the peer's own pull.
/// Afterwards this peer holds everything the peer held, so its version vector moves up to the
/// peer's and the live stream carries on from there.
/// </summary>
internal sealed partial class RecoveryClient(Store.Store store, PeerChannel channel)
{
    public const int MaxPrefixesPerRequest = 512;
    private const int LeafSize = 64;
    private long _sent;
    private long _received;
    /// <summary>Ids of records held here that the peer holds no record for: candidates for Store.DropPurgedElsewhere.</summary>
    private readonly List<string> _lacking = [];

    public async Task<CollectionsReply> CollectionsAsync(CancellationToken ct)
    {
        await Send(FrameType.DigestRequest, new DigestRequest(null, 0, []), ct);
        return RecoveryServer.Decode<CollectionsReply>(await Receive(FrameType.DigestReply, ct));
    }

    /// <summary>Pulls what differs; <paramref name="progress"/> counts the records merged (RecoveryClient.Progress.cs).</summary>
    public async Task<RecoveryResult> PullAsync(CancellationToken ct, WorkProgress? progress = null)
    {
        var remote = await CollectionsAsync(ct);
        var local = store.WithDigests(d => d.Collections());
        var differing = remote.Collections
            .Where(c => !local.TryGetValue(c.Name, out var l) || l.Count != c.Count || l.Hash != c.Hash)
            .Select(c => c.Name).ToList();
        Expect(progress, remote, local, differing);
        var received = 0;
        foreach (var collection in differing) received += await PullCollection(collection, ct);
        // A collection the peer holds nothing of: every record of it here is one the peer lacks.
        foreach (var collection in local.Keys.Where(c => remote.Collections.All(r => r.Name != c)))
            _lacking.AddRange(store.WithDigests(d => d.Entries(collection, 0, 0).Select(e => e.Id).ToList()));
        store.DropPurgedElsewhere(_lacking, remote.VersionVector, remote.PurgeHorizon, remote.PurgedThrough ?? new Dictionary<string, long>());
        store.AdvanceVersionVector(remote.VersionVector);
        await channel.SendAsync(FrameType.CatchUpDone, ReadOnlyMemory<byte>.Empty, ct);
        return new RecoveryResult(differing, received, _sent, _received);
    }

    private async Task<int> PullCollection(string collection, CancellationToken ct)
    {
        // Holding none of it (a join): ask for the whole collection instead of descending the buckets.
        if (!store.WithDigests(d => d.Collections().ContainsKey(collection))) return await PullRecords(collection, 0, [0], ct);
        var received = 0;
        var frontier = new List<ulong> { 0 };
        for (var level = 0; frontier.Count > 0 && level < DigestIndex.MaxLevel; level++)
        {
            var next = new List<ulong>();
            var leaves = new List<ulong>();
            foreach (var chunk in frontier.Chunk(MaxPrefixesPerRequest))
            {
                await Send(FrameType.DigestRequest, new DigestRequest(collection, level, chunk), ct);
                var reply = RecoveryServer.Decode<BucketsReply>(await Receive(FrameType.DigestReply, ct));
                if (reply.Counts.Count != chunk.Length * DigestIndex.FanOut || reply.Hashes.Count != reply.Counts.Count)
                    throw new ProtocolViolationException("recovery: bucket reply does not match the request");
                var mine = store.WithDigests(d => chunk.Select(p => d.Children(collection, level, p)).ToArray());
                for (var p = 0; p < chunk.Length; p++)
                {
                    for (var i = 0; i < DigestIndex.FanOut; i++)
                    {
                        var theirs = (Count: reply.Counts[p * DigestIndex.FanOut + i], Hash: reply.Hashes[p * DigestIndex.FanOut + i]);
                        var own = mine[p][i];
                        if (theirs.Count == own.Count && theirs.Hash == own.Hash) continue;
                        var child = (chunk[p] << DigestIndex.FanOutBits) | (uint)i;
                        if (theirs.Count == 0)
                        {
                            _lacking.AddRange(store.WithDigests(d => d.Entries(collection, level + 1, child).Select(e => e.Id).ToList()));
                            continue;
                        }
                        if (theirs.Count + own.Count <= LeafSize || level + 1 == DigestIndex.MaxLevel - 1) leaves.Add(child);
                        else next.Add(child);
                    }
                }
            }
            foreach (var chunk in leaves.Chunk(MaxPrefixesPerRequest)) received += await PullRecords(collection, level + 1, chunk, ct);
            frontier = next;
        }
        return received;
    }

    private async Task<int> PullRecords(string collection, int level, ulong[] prefixes, CancellationToken ct)
    {
        var entries = store.WithDigests(d => prefixes.SelectMany(p => d.Entries(collection, level, p)).ToList());
        await Send(FrameType.RecordsRequest, new RecordsRequest(collection, level, prefixes, entries.Select(e => e.Version).ToList()), ct);
        var count = 0;
        var sent = new HashSet<string>(StringComparer.Ordinal);
        RecordsReply reply;
        do
        {
            reply = OpCodec.DecodeRecords(await Receive(FrameType.RecordsReply, ct));
            store.MergeRecords(reply.Records);
            await MergedAsync(reply.Records.Count, ct);
            count += reply.Records.Count;
            foreach (var op in reply.Records) sent.Add(op.Record.Id);
        }
        while (reply.More);
        var absent = (reply.Absent ?? []).ToHashSet();
        _lacking.AddRange(entries.Where(e => absent.Contains(e.Version) && !sent.Contains(e.Id)).Select(e => e.Id));
        return count;
    }

    private async Task Send<T>(byte type, T message, CancellationToken ct)
    {
        var payload = RecoveryServer.Encode(message);
        _sent += payload.Length + 5;
        await channel.SendAsync(type, payload, ct);
    }

    private async Task<Frame> Receive(byte expected, CancellationToken ct)
    {
        var frame = await channel.ReceiveAsync(ct) ?? throw new IOException("peer closed the recovery connection");
        if (frame.Type != expected) throw new ProtocolViolationException($"recovery: expected {FrameType.Describe(expected)}, got {FrameType.Describe(frame.Type)}");
        _received += frame.Payload.Length + 5;
        return frame;
    }
}
