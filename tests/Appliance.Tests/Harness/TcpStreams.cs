using System.Net;

namespace Appliance.Tests.Harness;

/// <summary>
/// One TCP connection as captured: the client is the side that sent the SYN. Each direction is
/// the contiguous byte stream from the first byte after the SYN up to the first hole (a segment
/// the capture missed); <see cref="TcpDirection.Complete"/> says whether a hole cut it short.
/// </summary>
public sealed record TcpConnection(IPEndPoint Client, IPEndPoint Server, bool SawSyn, TcpDirection ClientToServer, TcpDirection ServerToClient)
{
    public override string ToString() => $"{Client} -> {Server} (c->s {ClientToServer.Bytes.Length} B, s->c {ServerToClient.Bytes.Length} B)";
}

public sealed record TcpDirection(byte[] Bytes, bool Complete, bool Finished, bool Reset);

/// <summary>Reassembles TCP streams by 4-tuple from captured packets (retransmissions and duplicates folded).</summary>
public static class TcpStreams
{
    public static IReadOnlyList<TcpConnection> Reassemble(IEnumerable<CapturedPacket> packets)
    {
        var byDirection = packets.Where(p => p.IsTcp)
            .GroupBy(p => (Src: new IPEndPoint(p.Source!, p.SourcePort), Dst: new IPEndPoint(p.Destination!, p.DestinationPort)))
            .ToDictionary(g => g.Key, g => g.ToList());
        var connections = new List<TcpConnection>();
        var done = new HashSet<(IPEndPoint, IPEndPoint)>();
        foreach (var ((src, dst), list) in byDirection)
        {
            if (done.Contains((src, dst))) continue;
            byDirection.TryGetValue((dst, src), out var reverse);
            reverse ??= [];
            done.Add((src, dst));
            done.Add((dst, src));
            // The client sent the bare SYN; without one (a connection older than the capture), the lower port is taken as the server.
            var srcIsClient = list.Any(p => p.Flags.HasFlag(TcpFlags.Syn) && !p.Flags.HasFlag(TcpFlags.Ack))
                || (!reverse.Any(p => p.Flags.HasFlag(TcpFlags.Syn) && !p.Flags.HasFlag(TcpFlags.Ack)) && src.Port > dst.Port);
            var (client, server, c2s, s2c) = srcIsClient ? (src, dst, list, reverse) : (dst, src, reverse, list);
            var sawSyn = c2s.Any(p => p.Flags.HasFlag(TcpFlags.Syn));
            connections.Add(new TcpConnection(client, server, sawSyn, Direction(c2s), Direction(s2c)));
        }
        return connections;
    }

    private static TcpDirection Direction(List<CapturedPacket> segments)
    {
        var finished = segments.Any(p => p.Flags.HasFlag(TcpFlags.Fin));
        var reset = segments.Any(p => p.Flags.HasFlag(TcpFlags.Rst));
        var syn = segments.FirstOrDefault(p => p.Flags.HasFlag(TcpFlags.Syn));
        var data = segments.Where(p => p.Payload.Length > 0).ToList();
        if (data.Count == 0) return new TcpDirection([], true, finished, reset);
        var start = syn is not null ? syn.Sequence + 1 : data.Min(p => p.Sequence);
        var stream = new MemoryStream();
        // Offsets relative to the start, modulo 2^32, so a sequence wrap is harmless.
        foreach (var p in data.OrderBy(p => unchecked(p.Sequence - start)))
        {
            long offset = unchecked(p.Sequence - start);
            if (offset > stream.Length) return new TcpDirection(stream.ToArray(), false, finished, reset);
            var skip = (int)(stream.Length - offset);
            if (skip < p.Payload.Length) stream.Write(p.Payload, skip, p.Payload.Length - skip);
        }
        return new TcpDirection(stream.ToArray(), true, finished, reset);
    }
}
