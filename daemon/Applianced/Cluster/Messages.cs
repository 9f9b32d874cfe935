using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>An acceptor's answer to Hello: its own Hello, and when it refuses, the reason code.</summary>
public sealed record HelloAnswer(HelloMessage Hello, string? Reason, string? Detail);

/// <summary>One operation on the wire: the log position and the record with its version.</summary>
public sealed record WireOp(string O, long S, string Sc, string Se, string K, string? V, long H, string Ro, long Ph, string Po)
{
    public static WireOp From(Operation op) => new(op.Origin, op.Seq, op.Record.Scope, op.Record.Section, op.Record.Key,
        op.Record.Value, op.Record.Version.Hlc, op.Record.Version.Origin, op.Prev.Hlc, op.Prev.Origin);

    public Operation ToOperation() =>
        new(O, S, new StoredRecord(Sc, Se, K, V, new RecordVersion(H, Ro)), new RecordVersion(Ph, Po));
}

/// <summary>The part of one origin's log a batch covers: after A (exclusive) through T; see <see cref="OpRange"/>.</summary>
public sealed record WireRange(string O, long A, long T)
{
    public OpRange ToRange() => new(O, A, T);
}

/// <summary>Ops of several origins and, per origin, the part of its log they cover (holes are overwritten writes).</summary>
public sealed record OpBatch(IReadOnlyList<WireOp> Ops, IReadOnlyList<WireRange> Ranges);

/// <summary>The receiver's version vector after applying, so the sender knows what it holds.</summary>
public sealed record AckMessage(IReadOnlyDictionary<string, long> VersionVector);

/// <summary>Sent is the sender's monotonic stamp echoed back for RTT; Wall is each side's clock for the offset.</summary>
public sealed record HeartbeatMessage(long Sent, long Wall);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HelloAnswer))]
[JsonSerializable(typeof(OpBatch))]
[JsonSerializable(typeof(AckMessage))]
[JsonSerializable(typeof(HeartbeatMessage))]
internal sealed partial class ClusterJson : JsonSerializerContext;

/// <summary>Encoding of the replication payloads; anything malformed is a protocol violation.</summary>
public static class Messages
{
    public static byte[] Encode<T>(T message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, typeof(T), ClusterJson.Default);

    public static T Decode<T>(Frame frame) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(frame.Payload.Span, typeof(T), ClusterJson.Default) as T
                ?? throw new ProtocolViolationException($"{FrameType.Describe(frame.Type)}: empty payload");
        }
        catch (JsonException e)
        {
            throw new ProtocolViolationException($"{FrameType.Describe(frame.Type)}: malformed payload: {e.Message}");
        }
    }
}
