using System.Net;

namespace Appliance.Tests.Harness;

/// <summary>
/// One frame seen on the wire, decoded just enough for the checks: IPv4 endpoints, protocol,
/// ports, TCP flags and sequence, and the transport payload. Other frames keep only their kind
/// ("ARP", "IPv6", "ethertype 0x....") so a test can say what it ignores.
/// </summary>
public sealed record CapturedPacket(DateTime Timestamp, string Kind)
{
    public IPAddress? Source { get; init; }
    public IPAddress? Destination { get; init; }
    public int SourcePort { get; init; }
    public int DestinationPort { get; init; }
    public byte[] Payload { get; init; } = [];
    public TcpFlags Flags { get; init; }
    public uint Sequence { get; init; }

    public bool IsIPv4 => Kind is "TCP" or "UDP" or "ICMP" || Kind.StartsWith("IPv4", StringComparison.Ordinal);
    public bool IsTcp => Kind == "TCP";

    public override string ToString() => IsIPv4
        ? $"{Timestamp:HH:mm:ss.ffffff} {Kind} {Source}:{SourcePort} > {Destination}:{DestinationPort} [{Flags}] seq {Sequence} len {Payload.Length}"
        : $"{Timestamp:HH:mm:ss.ffffff} {Kind}";
}

[Flags]
public enum TcpFlags
{
    None = 0,
    Fin = 1,
    Syn = 2,
    Rst = 4,
    Psh = 8,
    Ack = 16,
}
