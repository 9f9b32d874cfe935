using System.Text;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Tests.Cluster;

/// <summary>A beat's noAck mixes with peers that do not know it: absent means answer, and an answer never carries it.</summary>
public sealed class HeartbeatMessageTests
{
    private static HeartbeatMessage Decode(string json) =>
        Messages.Decode<HeartbeatMessage>(new Frame(FrameType.Heartbeat, Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void An_older_peers_beat_without_noAck_asks_for_an_answer() =>
        Assert.Equal(new HeartbeatMessage(12, 34), Decode("""{"sent":12,"wall":34}"""));

    [Fact]
    public void A_beat_that_asks_nothing_says_so_and_round_trips()
    {
        var beat = new HeartbeatMessage(12, 34, NoAck: true);
        var json = Encoding.UTF8.GetString(Messages.Encode(beat));
        Assert.Equal("""{"sent":12,"wall":34,"noAck":true}""", json);
        Assert.Equal(beat, Decode(json));
    }

    [Fact]
    public void A_beat_that_asks_and_its_answer_are_what_older_peers_sent() =>
        Assert.Equal("""{"sent":12,"wall":34}""", Encoding.UTF8.GetString(Messages.Encode(new HeartbeatMessage(12, 34))));
}
