using System.Net;
using System.Text.Json;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster.Recovery;

/// <summary>
/// Answers a peer's anti-entropy questions on 4371: digests per collection, per bucket, and the
/// records that differ. Stateless between requests; never touches a socket.
/// </summary>
internal sealed class RecoveryServer(Store.Store store)
{
    private const int MaxRecordsPerReply = 2000;

    public async Task ServeAsync(PeerChannel channel, CancellationToken ct)
    {
        while (await channel.ReceiveAsync(ct) is { } frame)
        {
            switch (frame.Type)
            {
                case FrameType.DigestRequest:
                    var request = Decode<DigestRequest>(frame);
                    await channel.SendAsync(FrameType.DigestReply, request.Collection is null ? Collections() : Buckets(request), ct);
                    break;
                case FrameType.RecordsRequest:
                    await SendRecords(channel, Decode<RecordsRequest>(frame), ct);
                    break;
                case FrameType.CatchUpDone or FrameType.Goodbye:
                    return;
                default:
                    throw new ProtocolViolationException($"unexpected {FrameType.Describe(frame.Type)} on the recovery port");
            }
        }
    }

    private byte[] Collections()
    {
        var vv = store.VersionVector();
        var digests = store.WithDigests(d => d.Collections().Select(kv => new CollectionDigest(kv.Key, kv.Value.Count, kv.Value.Hash)).ToList());
        return Encode(new CollectionsReply(vv, digests, store.PurgeHorizon, store.PurgedThrough()));
    }

    private byte[] Buckets(DigestRequest request)
    {
        CheckLevel(request.Level, request.Prefixes);
        var counts = new List<long>(request.Prefixes.Count * DigestIndex.FanOut);
        var hashes = new List<ulong>(request.Prefixes.Count * DigestIndex.FanOut);
        store.WithDigests(d =>
        {
            foreach (var prefix in request.Prefixes)
            {
                foreach (var child in d.Children(request.Collection!, request.Level, prefix))
                {
                    counts.Add(child.Count);
                    hashes.Add(child.Hash);
                }
            }
            return 0;
        });
        return Encode(new BucketsReply(counts, hashes));
    }

    private async Task SendRecords(PeerChannel channel, RecordsRequest request, CancellationToken ct)
    {
        CheckLevel(request.Level, request.Prefixes);
        if (request.Level == 0 && request.Have.Count == 0)
        {
            await SendCollection(channel, request.Collection, ct);
            return;
        }
        var have = request.Have.ToHashSet();
        var (ids, held) = store.WithDigests(d =>
        {
            var entries = request.Prefixes.SelectMany(p => d.Entries(request.Collection, request.Level, p)).ToList();
            return (entries.Where(e => !have.Contains(e.Version)).Select(e => e.Id).ToList(), entries.Select(e => e.Version).ToHashSet());
        });
        var absent = have.Where(h => !held.Contains(h)).ToList();
        for (var i = 0; i < ids.Count || i == 0; i += MaxRecordsPerReply)
        {
            var chunk = store.GetOps(ids.Skip(i).Take(MaxRecordsPerReply));
            var more = i + MaxRecordsPerReply < ids.Count;
            await channel.SendAsync(FrameType.RecordsReply, OpCodec.Encode(new RecordsReply(chunk, more, more ? null : absent)), ct);
        }
    }

    /// <summary>A whole collection to a peer that holds none of it (a join): read in id order, sent in chunks.</summary>
    private async Task SendCollection(PeerChannel channel, string collection, CancellationToken ct)
    {
        var chunk = store.ScanOps(collection, null, MaxRecordsPerReply);
        while (true)
        {
            var next = chunk.Count < MaxRecordsPerReply ? [] : store.ScanOps(collection, chunk[^1].Record.Id, MaxRecordsPerReply);
            await channel.SendAsync(FrameType.RecordsReply, OpCodec.Encode(new RecordsReply(chunk, More: next.Count > 0)), ct);
            if (next.Count == 0) return;
            chunk = next;
        }
    }

    private static void CheckLevel(int level, IReadOnlyList<ulong> prefixes)
    {
        if (level is < 0 or >= DigestIndex.MaxLevel || prefixes.Count > RecoveryClient.MaxPrefixesPerRequest)
            throw new ProtocolViolationException($"recovery request out of bounds: level {level}, {prefixes.Count} buckets");
    }

    internal static byte[] Encode<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), RecoveryJson.Default);

    internal static T Decode<T>(Frame frame) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(frame.Payload.Span, typeof(T), RecoveryJson.Default) as T
                ?? throw new ProtocolViolationException($"{FrameType.Describe(frame.Type)}: empty payload");
        }
        catch (JsonException e)
        {
            throw new ProtocolViolationException($"{FrameType.Describe(frame.Type)}: malformed payload: {e.Message}");
        }
    }
}
