using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// What a peer says about itself first on every connection. The lead compares it (versions,
/// edition, cluster id) and answers HelloReply or HelloReject; no data flows before that.
/// </summary>
public sealed record HelloMessage(
    string PeerId,
    string HostName,
    string SoftwareVersion,
    int ProtocolVersion,
    string Edition,
    string LicenceState,
    string? ClusterId,
    IReadOnlyList<string> Addresses,
    IReadOnlyDictionary<string, long> VersionVector,
    IReadOnlyList<AddressClaim>? Claims = null,
    long? JoinedAt = null)
{
    public const int MaxEncodedSize = 64 * 1024;

    /// <summary>JSON (UTF-8) with the addresses sorted ordinally, so equal hellos encode equally.</summary>
    public byte[] Encode() =>
        JsonSerializer.SerializeToUtf8Bytes(Normalized(), HelloJsonContext.Default.HelloMessage);

    /// <summary>Parses a Hello payload; anything malformed is a <see cref="ProtocolViolationException"/>.</summary>
    public static HelloMessage Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxEncodedSize)
            throw new ProtocolViolationException($"hello: {payload.Length} bytes, the limit is {MaxEncodedSize}");
        HelloMessage? hello;
        try
        {
            hello = JsonSerializer.Deserialize(payload, HelloJsonContext.Default.HelloMessage);
        }
        catch (JsonException e)
        {
            throw new ProtocolViolationException($"hello: invalid JSON: {e.Message}");
        }
        if (hello is null)
            throw new ProtocolViolationException("hello: the payload is JSON null");
        hello.Check();
        return hello.Normalized();
    }

    private HelloMessage Normalized() => this with
    {
        Addresses = Addresses.Order(StringComparer.Ordinal).ToArray(),
    };

    private void Check()
    {
        if (string.IsNullOrWhiteSpace(PeerId))
            throw new ProtocolViolationException("hello: peerId is empty");
        if (ProtocolVersion < 1)
            throw new ProtocolViolationException($"hello: protocolVersion {ProtocolVersion} is not a version");
        if (ClusterId is { Length: 0 })
            throw new ProtocolViolationException("hello: clusterId is empty (omit it or send null)");
        if (ClusterId is not null && System.Text.Encoding.UTF8.GetByteCount(ClusterId) > ClusterSecret.MaxClusterIdBytes)
            throw new ProtocolViolationException($"hello: clusterId is longer than {ClusterSecret.MaxClusterIdBytes} UTF-8 bytes (the key proof announces it)");
        if (Addresses.Any(a => a is null))
            throw new ProtocolViolationException("hello: addresses contains null");
        if (Claims is { Count: > AddressClaim.MaxPerHello })
            throw new ProtocolViolationException($"hello: {Claims.Count} address claims, the limit is {AddressClaim.MaxPerHello}");
        foreach (var claim in Claims ?? [])
        {
            if (claim is null) throw new ProtocolViolationException("hello: claims contains null");
            claim.Check();
        }
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(HelloMessage))]
internal sealed partial class HelloJsonContext : JsonSerializerContext;
