using System.Text;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Daemon.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Bridges;

/// <summary>The bridge client against a real bridgesim process, and against servers that answer badly.</summary>
public class BridgeClientTests(BridgeSimFixture sim) : IClassFixture<BridgeSimFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact(Timeout = 60_000)]
    public async Task Calls_CreateEnumerateAndDestroy_Conferences_FollowingPages()
    {
        using var client = sim.Client();
        var info = await client.SystemInfoAsync(None);
        Assert.Equal("mcu", info.Type);

        var names = new[] { "cc-a", "cc-b", "cc-c" };
        foreach (var name in names) await client.CreateConferenceAsync(name, name == "cc-a" ? 5 : null, None);
        await client.CallAsync("participant.add", new XmlRpcStruct { ["conferenceName"] = "cc-a", ["participantName"] = "alice", ["address"] = "sip:alice@example.net" }, None);
        try
        {
            // Paged by 2 on the simulator: the client follows enumerateID to the end.
            var conferences = (await client.EnumerateConferencesAsync(None)).Where(c => c.Name.StartsWith("cc-", StringComparison.Ordinal)).ToList();
            Assert.Equal(names, conferences.Select(c => c.Name));
            Assert.Equal(1, conferences[0].Participants);
            Assert.Equal(5, conferences[0].MaxParticipants);
            var participant = Assert.Single(await client.EnumerateParticipantsAsync("cc-a", None));
            Assert.Equal(("cc-a", "alice", "sip:alice@example.net"), (participant.Conference, participant.Name, participant.Address));
            var load = await client.QueryAsync(None);
            Assert.True(load.PortsInUse >= 1 && load.PortsMax == 10, $"{load}");

            var duplicate = await Assert.ThrowsAsync<BridgeCallException>(() => client.CreateConferenceAsync("cc-a", null, None));
            Assert.Equal(BridgeFaults.DuplicateConference, duplicate.FaultCode);
            Assert.Equal(BridgeStates.Refused, duplicate.State);
        }
        finally
        {
            foreach (var name in names) await client.DestroyConferenceAsync(name, None);
        }
        Assert.DoesNotContain(await client.EnumerateConferencesAsync(None), c => c.Name.StartsWith("cc-", StringComparison.Ordinal));
        var missing = await Assert.ThrowsAsync<BridgeCallException>(() => client.DestroyConferenceAsync("cc-a", None));
        Assert.Equal(BridgeFaults.NoSuchConference, missing.FaultCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task WrongPassword_IsAuthFailed_NamingTheUser()
    {
        using var client = sim.Client(password: "wrong");
        var e = await Assert.ThrowsAsync<BridgeCallException>(() => client.QueryAsync(None));
        Assert.Equal(BridgeStates.AuthFailed, e.State);
        Assert.Contains("fault 34", e.Reason, StringComparison.Ordinal);
        Assert.Contains("user 'conductor'", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", e.Reason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Https_TrustedByTheSelectedCa_Answers_AnotherCaIsRefused_NamingTheCertificate()
    {
        using (var trusted = sim.Client("https"))
            Assert.Equal(10, (await trusted.QueryAsync(None)).PortsMax);

        using var other = sim.Client("https", tls: BridgeSimFixture.Trusting(TestPki.Ca("some other CA")));
        var e = await Assert.ThrowsAsync<BridgeCallException>(() => other.QueryAsync(None));
        Assert.Equal(BridgeStates.Refused, e.State);
        Assert.Contains("certificate 'CN=bridge.test'", e.Reason, StringComparison.Ordinal);
        Assert.Contains("issuer 'CN=bridge test CA'", e.Reason, StringComparison.Ordinal);
        Assert.Contains("not trusted by the test CA", e.Reason, StringComparison.Ordinal);

        using var system = sim.Client("https", tls: BridgeTls.System);
        var bySystem = await Assert.ThrowsAsync<BridgeCallException>(() => system.QueryAsync(None));
        Assert.Contains("not trusted by the system's CAs", bySystem.Reason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Switches_Refuse_IsAFault_Hang_IsUnreachableAfterTheTimeout()
    {
        using var client = sim.Client(timeout: TimeSpan.FromSeconds(1));
        try
        {
            await sim.SetAsync(new XmlRpcStruct { ["refuse"] = true });
            var refused = await Assert.ThrowsAsync<BridgeCallException>(() => client.QueryAsync(None));
            Assert.Equal(BridgeStates.Refused, refused.State);
            Assert.Contains("fault 201", refused.Reason, StringComparison.Ordinal);

            await sim.SetAsync(new XmlRpcStruct { ["refuse"] = false, ["hang"] = true });
            var hung = await Assert.ThrowsAsync<BridgeCallException>(() => client.QueryAsync(None));
            Assert.Equal(BridgeStates.Unreachable, hung.State);
            Assert.Equal("no answer to device.query within 1 s", hung.Reason);
        }
        finally
        {
            await sim.SetAsync(new XmlRpcStruct { ["refuse"] = false, ["hang"] = false });
        }
        Assert.Equal(10, (await client.QueryAsync(None)).PortsMax);
    }

    [Fact(Timeout = 60_000)]
    public async Task DieSwitch_AnswersThenEndsTheProcess_AndTheBridgeIsUnreachable()
    {
        await using var doomed = new BridgeSimProcess(LoopbackAddresses.Next());
        await doomed.StartAsync();
        using var client = new BridgeClient(new BridgeEndpoint("doomed", doomed.Address, "http", BridgeSimProcess.HttpPort, null, null, "mcu", 5060, "udp"));
        var shown = Assert.IsType<XmlRpcStruct>(await client.CallAsync("sim.set", new XmlRpcStruct { ["die"] = true, ["ports"] = 3 }, None));
        Assert.Equal(3, shown.Int("ports"));
        Assert.Equal(0, await doomed.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(BridgeStates.Unreachable, (await Assert.ThrowsAsync<BridgeCallException>(() => client.QueryAsync(None))).State);
    }

    [Fact(Timeout = 60_000)]
    public async Task ControlCall_RefusesAnUnknownSwitch_AndChangesNothing()
    {
        using var client = sim.Client();
        var e = await Assert.ThrowsAsync<BridgeCallException>(() => client.CallAsync("sim.set", new XmlRpcStruct { ["ports"] = 99, ["speed"] = 1 }, None));
        Assert.Equal(BridgeFaults.InvalidParameter, e.FaultCode);
        Assert.Contains("'speed' is not a switch", e.Reason, StringComparison.Ordinal);
        Assert.Equal(10, (await client.QueryAsync(None)).PortsMax);
    }

    [Fact(Timeout = 60_000)]
    public async Task NothingListening_IsUnreachable()
    {
        using var client = new BridgeClient(new BridgeEndpoint("gone", LoopbackAddresses.Next(), "http", 8080, null, null, "mcu", 5060, "udp"));
        var e = await Assert.ThrowsAsync<BridgeCallException>(() => client.QueryAsync(None));
        Assert.Equal(BridgeStates.Unreachable, e.State);
        Assert.Contains("Connection refused", e.Reason, StringComparison.OrdinalIgnoreCase);
    }

    private static readonly Dictionary<string, (int Status, string Body, string State, string Reason)> BadReplies = new()
    {
        ["malformed"] = (200, "<methodResponse><params>", BridgeStates.Refused, "the reply is not XML-RPC: not well-formed XML"),
        ["json"] = (200, "{\"json\": true}", BridgeStates.Refused, "the reply is not XML-RPC"),
        ["deep"] = (200, "<methodResponse><params><param><value>" + string.Concat(Enumerable.Repeat("<array><data><value>", 40)) + "1"
            + string.Concat(Enumerable.Repeat("</value></data></array>", 40)) + "</value></param></params></methodResponse>", BridgeStates.Refused, "nested more than 16 deep"),
        ["oversize"] = (200, "<methodResponse><params><param><value><string>" + new string('x', 2 << 20) + "</string></value></param></params></methodResponse>",
            BridgeStates.Refused, "than the limit of 1048576 bytes"),
        ["wrong-type"] = (200, "<methodResponse><params><param><value><struct><member><name>portsInUse</name><value><string>3</string></value></member></struct></value></param></params></methodResponse>",
            BridgeStates.Refused, "device.query: member 'portsInUse' is a string, not an int"),
        ["http-500"] = (500, "", BridgeStates.Refused, "HTTP 500"),
        ["http-401"] = (401, "", BridgeStates.AuthFailed, "HTTP 401"),
    };

    public static TheoryData<string> BadReplyNames => [.. BadReplies.Keys];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(BadReplyNames))]
    public async Task BadReply_IsRefusedCleanly_SayingWhy(string name)
    {
        var (status, body, state, reason) = BadReplies[name];
        await using var server = new CannedHttpServer(status, Encoding.UTF8.GetBytes(body));
        using var client = new BridgeClient(new BridgeEndpoint("bad", "127.0.0.1", "http", server.Port, "u", "p", "mcu", 5060, "udp"), timeout: TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<BridgeCallException>(() => client.QueryAsync(None));
        Assert.Equal(state, e.State);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }
}
