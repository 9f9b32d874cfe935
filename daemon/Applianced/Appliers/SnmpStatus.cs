using Appliance.Daemon.Node;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// The cluster's state as SNMP serves it: one small file per value, which snmpd's extend lines cat
/// (snmpd runs as Debian-snmp and cannot reach the API socket).
/// </summary>
/// <param name="PeerName">This peer's host name.</param>
/// <param name="State">"standalone", "clustered" (every peer active) or "degraded" (a peer not active).</param>
/// <param name="PeersActive">Active peers, this one included.</param>
/// <param name="PeersTotal">Peers of the cluster, this one included.</param>
/// <param name="Alarms">Active alarms on this peer.</param>
public sealed record SnmpStatus(string PeerName, string State, int PeersActive, int PeersTotal, int Alarms)
{
    /// <summary>extend name and status file; NET-SNMP-EXTEND-MIB indexes the outputs by the name.</summary>
    public static readonly IReadOnlyList<(string Name, string File)> Extends =
    [
        ("clusterPeersActive", "peers-active"),
        ("clusterPeersTotal", "peers-total"),
        ("clusterAlarms", "alarms"),
        ("peerName", "peer-name"),
        ("peerState", "peer-state"),
    ];

    public static SnmpStatus Of(PeerNode node)
    {
        if (!node.Cluster.Settings.Clustered)
            return new SnmpStatus(node.HostName, "standalone", 1, 1, node.Logs.Alarms.Active().Count);
        var links = node.Cluster.Links;
        var active = links.Count(l => l.Active) + 1;
        return new SnmpStatus(node.HostName, active == links.Count + 1 ? "clustered" : "degraded", active, links.Count + 1,
            node.Logs.Alarms.Active().Count);
    }

    /// <summary>File name and content, in the order of <see cref="Extends"/>.</summary>
    public IEnumerable<(string File, string Content)> Files()
    {
        string[] values = [$"{PeersActive}", $"{PeersTotal}", $"{Alarms}", PeerName, State];
        return Extends.Select((e, i) => (e.File, values[i] + "\n"));
    }
}
