using Appliance.Daemon.Cluster;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Conferencing;

/// <summary>
/// How this cluster marks the conferences it creates on a bridge (conference.create's description):
/// the clean-up of conferences without a record (Sip/OrphanSweeper.cs) destroys only conferences
/// that carry this cluster's mark, never those an operator or another system made on a shared bridge.
/// A peer that is not clustered marks its own with its peer id.
/// </summary>
public static class ConferenceMark
{
    public static string Of(ConfigStore config) =>
        ClusterSettings.Load(config.Store).ClusterId is { Length: > 0 } cluster ? $"appliance cluster {cluster}" : $"appliance peer {config.Store.PeerId}";
}
