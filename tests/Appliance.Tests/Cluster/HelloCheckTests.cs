using Appliance.Daemon.Cluster;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Tests.Cluster;

public class HelloCheckTests
{
    private static HelloMessage Hello(string version = "1.0.0", string? cluster = "c1", string edition = "full",
        string licence = HelloCheck.Licensed, params string[] peers) =>
        new("id", "host", version, ProtocolVersions.Current, edition, licence, cluster,
            peers.Length == 0 ? ["198.18.0.11", "198.18.0.12"] : peers, new Dictionary<string, long>());

    [Fact]
    public void Equal_hellos_may_replicate() => Assert.Null(HelloCheck.Compare(Hello(), Hello()));

    [Fact]
    public void Peer_list_order_does_not_matter_once_sorted() =>
        Assert.Null(HelloCheck.Compare(Hello(peers: ["198.18.0.11", "198.18.0.12"]),
            HelloMessage.Decode(Hello(peers: ["198.18.0.12", "198.18.0.11"]).Encode())));

    [Theory]
    [InlineData("version", PeerReasons.VersionMismatch, "Software version mismatch (peer runs 9.9.9)")]
    [InlineData("cluster", PeerReasons.OtherCluster, "Belongs to another cluster")]
    [InlineData("peers", PeerReasons.PeerListMismatch, "Peer list mismatch")]
    [InlineData("edition", PeerReasons.EditionMismatch, "Edition mismatch (peer is select)")]
    [InlineData("licence", PeerReasons.NotLicensed, "Clustering not licensed (peer: essentials)")]
    public void Each_mismatch_has_its_reason_and_status_text(string what, string reason, string text)
    {
        var remote = what switch
        {
            "version" => Hello(version: "9.9.9"),
            "cluster" => Hello(cluster: "c2"),
            "peers" => Hello(peers: ["198.18.0.11", "198.18.0.13"]),
            "edition" => Hello(edition: "select"),
            _ => Hello(licence: "essentials"),
        };
        var refusal = HelloCheck.Compare(Hello(), remote);
        Assert.NotNull(refusal);
        Assert.Equal(reason, refusal.Value.Reason);
        Assert.Equal(text, PeerReasons.Text(refusal.Value.Reason, refusal.Value.Detail));
    }

    [Fact]
    public void A_peer_without_a_cluster_id_is_not_another_cluster_but_must_join_first()
    {
        Assert.Null(HelloCheck.Compare(Hello(cluster: null), Hello()));
        Assert.True(ClusterService.NeedsAdoption(Hello(cluster: null), Hello()));
        Assert.False(ClusterService.NeedsAdoption(Hello(), Hello()));
    }

    [Theory]
    [InlineData("c1", "198.18.0.11 198.18.0.12 198.18.0.13", "198.18.0.11 198.18.0.12", "only this peer lists 198.18.0.13")]
    [InlineData("c1", "198.18.0.11 198.18.0.12", "198.18.0.11 198.18.0.12 198.18.0.13", "only the peer lists 198.18.0.13")]
    [InlineData("c1", "198.18.0.11 198.18.0.12 198.18.0.13", "198.18.0.11 198.18.0.12 198.18.0.14", null)] // two differ
    [InlineData("c1", "198.18.0.11 198.18.0.13", "198.18.0.11 198.18.0.12 198.18.0.13", null)] // we do not list the peer
    [InlineData(null, "198.18.0.11 198.18.0.12 198.18.0.13", "198.18.0.11 198.18.0.12", null)] // a joiner needs the same list
    public void Members_lists_differing_by_one_third_peer_replicate_meanwhile(string? cluster, string ours, string theirs, string? how)
    {
        var local = Hello(cluster: cluster, peers: ours.Split(' '));
        var remote = Hello(peers: theirs.Split(' '));
        Assert.Equal(how, HelloCheck.ListInTransition(local, remote, "198.18.0.11", "198.18.0.12"));
        Assert.Equal(how is null ? PeerReasons.PeerListMismatch : null, HelloCheck.Compare(local, remote, "198.18.0.11", "198.18.0.12")?.Reason);
    }

    [Fact]
    public void Operations_survive_the_wire_format()
    {
        var op = new Appliance.Daemon.Store.Operation("o", 7,
            new Appliance.Daemon.Store.StoredRecord("cluster", "bridges", "b1", null, new(123, "o")), new(100, "p"));
        var frame = new Frame(FrameType.OpBatch, OpCodec.Encode(new OpBatch([op], [new Appliance.Daemon.Store.OpRange("o", 5, 9)])));
        var decoded = OpCodec.DecodeBatch(frame);
        Assert.Equal(op, decoded.Ops.Single());
        Assert.Equal(new Appliance.Daemon.Store.OpRange("o", 5, 9), decoded.Ranges.Single());
        Assert.Throws<System.Net.ProtocolViolationException>(() => OpCodec.DecodeBatch(new Frame(FrameType.OpBatch, "{garbage"u8.ToArray())));
    }
}
