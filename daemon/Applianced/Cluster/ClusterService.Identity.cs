using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Daemon.Cluster;

/// <summary>Cluster identity: forming creates an id, joining adopts one (R9), two ids never merge.</summary>
public sealed partial class ClusterService
{
    private readonly Lock _identity = new();

    private void Form()
    {
        var id = Guid.NewGuid().ToString();
        Store.SetLocal(ClusterSettings.ClusterIdName, id);
        NoteJoined();
        Settings = Settings with { ClusterId = id };
        PrepareSecret();
        Logs.Event($"cluster: formed cluster {id}");
    }

    /// <summary>When this peer took its cluster id, for <see cref="ForgottenRefusal"/> on the other side.</summary>
    private void NoteJoined() =>
        Store.SetLocal(ClusterSettings.JoinedAtName, Store.Clock.Now().ToString(System.Globalization.CultureInfo.InvariantCulture));

    private long? JoinedAt() =>
        long.TryParse(Store.GetLocal(ClusterSettings.JoinedAtName), System.Globalization.CultureInfo.InvariantCulture, out var at) ? at : null;

    /// <summary>
    /// True when one side must first take the other's identity: a peer without a cluster id meets one
    /// with an id, or neither has one yet (the lower address forms, the other then joins).
    /// </summary>
    internal static bool NeedsAdoption(HelloMessage local, HelloMessage remote) =>
        local.ClusterId is null || remote.ClusterId is null;

    /// <summary>
    /// Why a join (<see cref="NeedsAdoption"/>) cannot go ahead yet: an address conflict (R7), in
    /// this peer's numbering; else "joining", which makes the side without an id adopt.
    /// </summary>
    internal (string Reason, string? Detail) JoinRefusal(HelloMessage local, HelloMessage remote)
    {
        if (JoinCheck.AddressConflict(local, remote) is not { } conflict) return (PeerReasons.Joining, null);
        var (brought, held) = conflict;
        return (PeerReasons.AddressConflict,
            $"{held.Address} is already {Label(held)}'s {held.What}, and {Label(brought)} brings it as its {brought.What}");
    }

    /// <summary>"peer 2" by this peer's list (as `cluster show` numbers them), else by host name.</summary>
    private string Label(AddressClaim claim)
    {
        var index = claim.Listed is null ? -1 : Settings.Peers.ToList().IndexOf(claim.Listed);
        return index >= 0 ? $"peer {index + 1}" : $"peer {claim.Host}";
    }

    internal void AdoptIfNeeded(HelloMessage local, HelloMessage remote)
    {
        lock (_identity)
        {
            if (Settings.ClusterId is not null || local.ClusterId is not null) return;
            if (remote.ClusterId is null)
            {
                // Neither has an id: the peer with the lowest address forms, the others join it.
                var own = _info.OwnAddress();
                if (own is null || Settings.SortedPeers[0] != own) return;
                Form();
            }
            else
            {
                Join(remote);
            }
        }
        _ = RestartSessionsAsync();
    }

    private void Join(HelloMessage remote)
    {
        // Every key proof announces our id from now on: refuse one that could not be announced.
        ClusterSecret.CheckClusterId(remote.ClusterId);
        var copy = Path.Combine(Store.DataDirectory, "backups",
            $"pre-join_{Time.GetUtcNow():yyyyMMdd_HHmmss}_{Store.PeerId[..8]}.db");
        var givenUp = JoinSummary.GivenUp(Store);
        var published = Store.ResetForJoin(copy, JoinSummary.Merged);
        copy = ArchivePreJoinCopy?.Invoke(copy) ?? copy;
        Store.SetLocal(ClusterSettings.ClusterIdName, remote.ClusterId);
        NoteJoined();
        Settings = Settings with { ClusterId = remote.ClusterId };
        _joinCopyPending = true;
        PrepareSecret();
        var merged = published.Changed.Count(JoinSummary.Merged);
        Logs.Event($"cluster: joined cluster {remote.ClusterId} through {remote.HostName}; this peer's shared configuration was replaced " +
                   $"by the cluster's ({JoinSummary.Describe(givenUp)}); its {published.Operations.Count - merged} peer-specific records " +
                   $"were kept and its {merged} live conference records merged into the cluster; copy of the old store: {copy}");
        JoinSummary.Log(Logs, givenUp, remote, copy);
    }

    /// <summary>R10: clearing the key and the peers takes this peer out; it keeps its data.</summary>
    public async Task LeaveAsync()
    {
        Store.SetLocal(ClusterSettings.KeyName, null); // the kept secret goes with it (PrepareSecret)
        ClusterSettings.SavePeers(Store, []);
        Store.SetLocal(ClusterSettings.ClusterIdName, null);
        Logs.Event("cluster: left the cluster; this peer is standalone and keeps a copy of the data");
        await ReconfigureAsync();
    }
}
