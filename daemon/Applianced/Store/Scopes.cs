namespace Appliance.Daemon.Store;

/// <summary>Where a record lives (DESIGN.md section 4). Local data never enters the record table.</summary>
public static class Scopes
{
    public const string Cluster = "cluster";
    private const string PeerPrefix = "peer:";

    public static string Peer(string peerId) => PeerPrefix + peerId;

    public static bool IsPeer(string scope, out string peerId)
    {
        peerId = scope.StartsWith(PeerPrefix, StringComparison.Ordinal) ? scope[PeerPrefix.Length..] : "";
        return peerId.Length > 0;
    }
}
