using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>An acceptor's answer to Hello: its own Hello, and when it refuses, the reason code.</summary>
public sealed record HelloAnswer(HelloMessage Hello, string? Reason, string? Detail);

/// <summary>Ops of several origins and, per origin, the part of its log they cover (holes are overwritten writes). Encoded by <see cref="OpCodec"/>.</summary>
public sealed record OpBatch(IReadOnlyList<Operation> Ops, IReadOnlyList<OpRange> Ranges);

/// <summary>The receiver's version vector after applying, so the sender knows what it holds.</summary>
public sealed record AckMessage(IReadOnlyDictionary<string, long> VersionVector);

/// <summary>
/// Sent is the sender's monotonic stamp echoed back for RTT; Wall is each side's clock for the
/// offset. NoAck: the sender hears the peer on the peer's own connection and wants no answer to
/// this beat (absent, as from an older peer, means answer; an older receiver ignores it and answers).
/// </summary>
public sealed record HeartbeatMessage(long Sent, long Wall,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool NoAck = false);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HelloAnswer))]
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
