using System.Diagnostics;
using Appliance.Sip;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Sip;

/// <summary>
/// A real daemon's SIP trunk on its rendezvous address: the real sipsak gets 200 to OPTIONS, and
/// the library's client sees each kind of request answered as the call processor needs, over UDP
/// and TCP; moving the rendezvous address moves the listeners.
/// </summary>
public sealed class SipTrunkProcessTests(ITestOutputHelper output)
{
    private const string Sipsak = "/usr/bin/sipsak";

    [Fact]
    public async Task Sipsak_gets_200_to_options_from_the_rendezvous_address()
    {
        Assert.True(File.Exists(Sipsak), $"{Sipsak} is missing: build.sh installs sipsak");
        await using var peer = await SipTrunkPeer.StartAsync();
        var (code, text) = await RunAsync(Sipsak, "-vv", "-s", $"sip:p1@{peer.Rendezvous}:{peer.Port}");
        output.WriteLine(text);
        Assert.True(code == 0, $"sipsak exited {code} (0 means a 200 came back):\n{text}");
        Assert.Contains("SIP/2.0 200 OK", text);
        Assert.Contains($"Allow: {Appliance.Daemon.Sip.SipTrunk.Allow}", text);
        Assert.Contains("Accept: application/sdp", text);
        // The firewall opens the trunk on the same address (simulated HAL: its applier's account).
        await Support.Eventually.WaitUntil(async () => (await peer.Daemon.Api("status"))["appliers"]!.AsArray()
                .Any(a => (string?)a!["name"] == "firewall" && ((string?)a["reason"])?.Contains($"SIP open on {peer.Rendezvous}", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(30), $"the firewall applier opens SIP on {peer.Rendezvous}", async () => (await peer.Daemon.Api("status"))["appliers"]!.ToJsonString());
    }

    [Theory]
    [InlineData("UDP")]
    [InlineData("TCP")]
    public async Task Each_kind_of_request_gets_the_answer_the_call_processor_expects(string protocol)
    {
        await using var peer = await SipTrunkPeer.StartAsync();
        var ok = await peer.SendAsync(peer.Request(SipMethods.Options), protocol);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(Appliance.Daemon.Sip.SipTrunk.Allow, string.Join(", ", ok.Headers.GetAll(SipHeaderNames.Allow)));
        Assert.Equal("application/sdp", ok.Headers[SipHeaderNames.Accept]);
        Assert.True(ok.Headers.Contains(SipHeaderNames.Supported));
        Assert.NotNull(ok.To.Tag);

        // No alias configured: the B2BUA's placement finds none (B2buaProcessTests has the calls).
        var notFound = await peer.SendAsync(peer.Request(SipMethods.Invite, "meet-1234"), protocol);
        Assert.Equal(404, notFound.StatusCode);
        Assert.Contains("no conference alias matches 'meet-1234'", notFound.Headers[SipHeaderNames.Reason], StringComparison.Ordinal);
        Assert.NotNull(notFound.To.Tag);

        var inDialog = peer.Request(SipMethods.Bye);
        inDialog.Headers.Set(SipHeaderNames.To, inDialog.Headers[SipHeaderNames.To] + ";tag=gone");
        Assert.Equal(481, (await peer.SendAsync(inDialog, protocol)).StatusCode);
        var register = await peer.SendAsync(peer.Request(SipMethods.Register), protocol);
        Assert.Equal(405, register.StatusCode);
        Assert.Equal(Appliance.Daemon.Sip.SipTrunk.Allow, string.Join(", ", register.Headers.GetAll(SipHeaderNames.Allow)));
        Assert.Equal(501, (await peer.SendAsync(peer.Request("FROBNICATE"), protocol)).StatusCode);
    }

    [Fact]
    public async Task An_invite_to_no_alias_is_answered_100_then_404_and_the_ack_ends_it()
    {
        await using var peer = await SipTrunkPeer.StartAsync();
        var invite = peer.Start(peer.Request(SipMethods.Invite, "meet-1234"));
        var statuses = new List<int>();
        invite.ResponseReceived += r => { lock (statuses) statuses.Add(r.StatusCode); };
        var final = await SipTestKit.Within(invite.Final, "the 404");
        Assert.Equal(404, final.StatusCode);
        lock (statuses) Assert.Equal([100, 404], statuses);
        // The client transaction ACKed the 404; the peer's transaction took it (no retransmission follows).
        Assert.Equal(SipClientState.Completed, invite.State);
    }

    [Fact]
    public async Task Moving_the_rendezvous_address_moves_the_listeners()
    {
        await using var peer = await SipTrunkPeer.StartAsync();
        var old = peer.Rendezvous;
        Assert.True(await peer.TcpOpenAsync(old));
        await peer.MoveAsync(Support.LoopbackAddresses.Next());
        Assert.False(await peer.TcpOpenAsync(old), $"{old}:{peer.Port} still accepts connections after the move");
        Assert.Equal(200, (await peer.SendAsync(peer.Request(SipMethods.Options))).StatusCode);
        Assert.Equal(200, (await peer.SendAsync(peer.Request(SipMethods.Options), "TCP")).StatusCode);
        await peer.Daemon.Remove("location-addresses", "oslo");
        await Support.Eventually.WaitUntil(async () => await peer.SipApplier() == "no rendezvous address: not listening", TimeSpan.FromSeconds(30),
            "the sip applier stops listening when the location's addresses are removed");
        Assert.False(await peer.TcpOpenAsync(peer.Rendezvous));
    }

    /// <summary>
    /// A clustered peer that starts again takes no call before it holds what the cluster wrote while
    /// it was away (kamailio once sent a call to a restarted peer that placed a second copy of a live
    /// conference): keep-alives and calls get 503 with the reason; a peer that reaches nobody serves
    /// after the grace (a partition: the split rule settles it after the heal).
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task A_restarted_clustered_peer_answers_503_until_it_has_caught_up_or_the_grace_ends()
    {
        await using var peer = await SipTrunkPeer.StartAsync();
        await peer.Daemon.SetKey("catch-up-key-0123456789");
        await peer.Daemon.SetPeers(peer.Daemon.Bind!, Support.LoopbackAddresses.Next()); // the other peer never answers
        var started = DateTime.UtcNow; // before the restart: the grace counts from the daemon's start, which comes later
        await peer.Daemon.RestartAsync();
        await peer.MoveAsync(peer.Rendezvous);

        var held = await peer.SendAsync(peer.Request(SipMethods.Options));
        Assert.Equal(503, held.StatusCode);
        Assert.Contains("catching up with the cluster after a start", held.Headers[SipHeaderNames.Reason], StringComparison.Ordinal);
        Assert.Equal(503, (await peer.SendAsync(peer.Request(SipMethods.Invite, "meet-1"), "TCP")).StatusCode);

        await Support.Eventually.WaitUntil(async () => (await peer.SendAsync(peer.Request(SipMethods.Options))).StatusCode == 200,
            TimeSpan.FromSeconds(60), "OPTIONS answered 200 once the grace is over");
        Assert.True(DateTime.UtcNow - started >= Appliance.Daemon.Cluster.ClusterService.CatchUpGrace,
            "the peer served before the grace although it reached no other peer");
    }

    internal static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    internal static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        return (p.ExitCode, await stdout + await stderr);
    }
}
