using System.Net;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Tests.Cluster;

public class JoinCheckTests
{
    private static AddressClaim Claim(string peer, string address, string what = "additional address") =>
        new(peer, "host-" + peer, null, address, what);

    private static HelloMessage Hello(string peer, string? cluster, params AddressClaim[] claims) =>
        new(peer, "host-" + peer, "1.0.0", ProtocolVersions.Current, "full", HelloCheck.Licensed, cluster,
            ["198.18.0.11", "198.18.0.12"], new Dictionary<string, long>(), claims);

    [Fact]
    public void A_joiners_address_that_a_member_holds_is_found_from_both_sides()
    {
        var member = Hello("m", "c1", Claim("m", "198.18.0.11", "address"), Claim("other", "198.18.5.5"));
        var joiner = Hello("j", null, Claim("j", "198.18.0.12", "address"), Claim("j", "198.18.5.5"));
        var fromMember = JoinCheck.AddressConflict(member, joiner);
        Assert.Equal(fromMember, JoinCheck.AddressConflict(joiner, member));
        Assert.Equal(("j", "other", "198.18.5.5"), (fromMember!.Value.Brought.PeerId, fromMember.Value.Held.PeerId, fromMember.Value.Held.Address));
    }

    [Fact]
    public void The_joiners_own_old_records_and_what_it_holds_of_others_do_not_count()
    {
        // The cluster still holds the joiner's records from an earlier membership; the joiner holds a stale peer's.
        var member = Hello("m", "c1", Claim("m", "198.18.0.11", "address"), Claim("j", "198.18.5.5"));
        var joiner = Hello("j", null, Claim("j", "198.18.5.5"), Claim("stale", "198.18.0.11"));
        Assert.Null(JoinCheck.AddressConflict(member, joiner));
        Assert.Null(JoinCheck.AddressConflict(Hello("m", "c1"), Hello("j", "c1", Claim("j", "198.18.0.11"))));
    }

    [Fact]
    public void A_claim_that_is_not_an_address_closes_the_connection()
    {
        var hello = Hello("j", null, Claim("j", "not-an-address"));
        Assert.Throws<ProtocolViolationException>(() => HelloMessage.Decode(hello.Encode()));
        var valid = Claim("j", "198.18.5.5");
        Assert.Equal([valid], HelloMessage.Decode(Hello("j", null, valid).Encode()).Claims!);
    }
}
