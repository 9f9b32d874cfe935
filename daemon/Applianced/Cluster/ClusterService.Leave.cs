namespace Appliance.Daemon.Cluster;

public sealed partial class ClusterService
{
    /// <summary>
    /// R10, the guide's way (delete the key and the peer addresses): whichever goes first ends the
    /// membership, and the cluster id goes with it, so the peer can join this or another cluster
    /// later instead of being told it belongs to another one. The other setting stays as the
    /// operator left it. `cluster leave` (<see cref="LeaveAsync"/>) does all three in one step.
    /// </summary>
    public void LeaveIfStandalone()
    {
        var settings = ClusterSettings.Load(Store);
        if (settings.Clustered || settings.ClusterId is null) return;
        Store.SetLocal(ClusterSettings.ClusterIdName, null);
        Logs.Event($"cluster: left cluster {settings.ClusterId} (the {(settings.Key is null ? "key" : "peer list")} was cleared); " +
                   "this peer is standalone and keeps a copy of the data");
    }
}
