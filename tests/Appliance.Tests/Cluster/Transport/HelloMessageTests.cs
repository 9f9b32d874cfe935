using System.Net;
using System.Text;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Tests.Cluster.Transport;

public class HelloMessageTests
{
    private static HelloMessage Sample() => new(
        PeerId: "peer-a",
        HostName: "appliance-a",
        SoftwareVersion: "1.0.0",
        ProtocolVersion: ProtocolVersions.Current,
        Edition: "standard",
        LicenceState: "valid",
        ClusterId: null,
        Addresses: ["192.0.2.9", "192.0.2.10", "10.0.0.1"],
        VersionVector: new Dictionary<string, long> { ["peer-a"] = 42, ["peer-b"] = 7 });

    [Fact]
    public void RoundTrip_SortsAddresses_KeepsEverythingElse()
    {
        var decoded = HelloMessage.Decode(Sample().Encode());
        Assert.Equal("peer-a", decoded.PeerId);
        Assert.Equal("appliance-a", decoded.HostName);
        Assert.Equal(ProtocolVersions.Current, decoded.ProtocolVersion);
        Assert.Null(decoded.ClusterId);
        Assert.Equal(["10.0.0.1", "192.0.2.10", "192.0.2.9"], decoded.Addresses);
        Assert.Equal(42, decoded.VersionVector["peer-a"]);
        Assert.Equal(7, decoded.VersionVector["peer-b"]);
        Assert.Equal(Sample().Encode(), (Sample() with { Addresses = ["10.0.0.1", "192.0.2.9", "192.0.2.10"] }).Encode());
    }

    [Fact]
    public void Json_UsesCamelCaseNames()
    {
        var json = Encoding.UTF8.GetString((Sample() with { ClusterId = "c-1" }).Encode());
        Assert.Contains("\"peerId\":\"peer-a\"", json);
        Assert.Contains("\"clusterId\":\"c-1\"", json);
        Assert.Contains("\"versionVector\":{", json);
    }

    [Theory]
    [InlineData("not json", "invalid JSON")]
    [InlineData("null", "JSON null")]
    [InlineData("""{"peerId":"a"}""", "invalid JSON")]
    [InlineData("""{"peerId":"","hostName":"h","softwareVersion":"1","protocolVersion":1,"edition":"e","licenceState":"l","clusterId":null,"addresses":[],"versionVector":{}}""", "peerId is empty")]
    [InlineData("""{"peerId":"a","hostName":"h","softwareVersion":"1","protocolVersion":0,"edition":"e","licenceState":"l","clusterId":null,"addresses":[],"versionVector":{}}""", "protocolVersion 0")]
    [InlineData("""{"peerId":"a","hostName":null,"softwareVersion":"1","protocolVersion":1,"edition":"e","licenceState":"l","clusterId":null,"addresses":[],"versionVector":{}}""", "invalid JSON")]
    public void Malformed_IsViolation_SayingWhat(string json, string expected)
    {
        var e = Assert.Throws<ProtocolViolationException>(() => HelloMessage.Decode(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message);
    }
}

public class HelloExchangeTests
{
    private static readonly TimeSpan Unexpected = TimeSpan.FromSeconds(10);

    private static HelloMessage Hello(string peerId) => new(peerId, peerId + "-host", "1.0.0", ProtocolVersions.Current,
        "standard", "valid", "cluster-1", ["127.0.0.1"], new Dictionary<string, long> { [peerId] = 1 });

    [Fact]
    public async Task BothSidesLearnTheOthersHello()
    {
        var (client, server) = PeerChannel.CreatePair();
        await using (client)
        await using (server)
        {
            var fromServer = HelloExchange.ExchangeAsync(client, Hello("a"), CancellationToken.None);
            var fromClient = HelloExchange.ExchangeAsync(server, Hello("b"), CancellationToken.None);
            Assert.Equal("b", (await fromServer.WaitAsync(Unexpected)).PeerId);
            Assert.Equal("a", (await fromClient.WaitAsync(Unexpected)).PeerId);
        }
    }

    [Fact]
    public async Task AnotherFrameFirst_IsViolation()
    {
        var (client, server) = PeerChannel.CreatePair();
        await using (client)
        await using (server)
        {
            await server.SendAsync(FrameType.Heartbeat, default, CancellationToken.None).WaitAsync(Unexpected);
            var e = await Assert.ThrowsAsync<ProtocolViolationException>(
                () => HelloExchange.ExchangeAsync(client, Hello("a"), CancellationToken.None).WaitAsync(Unexpected));
            Assert.Contains("expected Hello first, got Heartbeat (0x20)", e.Message);
        }
    }
}
