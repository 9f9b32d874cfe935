namespace Appliance.Daemon.Cluster.Transport;

/// <summary>One received frame. The payload is owned by the receiver (a fresh array per frame).</summary>
public sealed record Frame(byte Type, ReadOnlyMemory<byte> Payload)
{
    public override string ToString() => $"{FrameType.Describe(Type)}, {Payload.Length} bytes";
}
