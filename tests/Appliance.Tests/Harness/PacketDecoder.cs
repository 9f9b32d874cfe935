using PacketDotNet;

namespace Appliance.Tests.Harness;

/// <summary>Turns a captured frame into a <see cref="CapturedPacket"/> with PacketDotNet.</summary>
public static class PacketDecoder
{
    public static CapturedPacket Decode(DateTime timestamp, LinkLayers link, byte[] data)
    {
        Packet packet;
        try
        {
            packet = Packet.ParsePacket(link, data);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            return new CapturedPacket(timestamp, $"undecodable ({e.Message})");
        }
        if (packet.Extract<IPv4Packet>() is not { } ip)
        {
            if (packet.Extract<ArpPacket>() is not null) return new CapturedPacket(timestamp, "ARP");
            if (packet.Extract<IPv6Packet>() is not null) return new CapturedPacket(timestamp, "IPv6");
            return new CapturedPacket(timestamp, packet is EthernetPacket eth ? $"ethertype 0x{(int)eth.Type:x4}" : "unknown");
        }
        var basic = new CapturedPacket(timestamp, $"IPv4 protocol {(int)ip.Protocol}") { Source = ip.SourceAddress, Destination = ip.DestinationAddress };
        if (ip.Extract<TcpPacket>() is { } tcp)
        {
            return basic with
            {
                Kind = "TCP",
                SourcePort = tcp.SourcePort,
                DestinationPort = tcp.DestinationPort,
                Payload = tcp.PayloadData ?? [],
                Sequence = tcp.SequenceNumber,
                Flags = (tcp.Finished ? TcpFlags.Fin : 0) | (tcp.Synchronize ? TcpFlags.Syn : 0) | (tcp.Reset ? TcpFlags.Rst : 0)
                    | (tcp.Push ? TcpFlags.Psh : 0) | (tcp.Acknowledgment ? TcpFlags.Ack : 0),
            };
        }
        if (ip.Extract<UdpPacket>() is { } udp)
            return basic with { Kind = "UDP", SourcePort = udp.SourcePort, DestinationPort = udp.DestinationPort, Payload = udp.PayloadData ?? [] };
        if (ip.Protocol == ProtocolType.Icmp) return basic with { Kind = "ICMP", Payload = ip.PayloadData ?? [] };
        return basic with { Payload = ip.PayloadData ?? [] };
    }
}
