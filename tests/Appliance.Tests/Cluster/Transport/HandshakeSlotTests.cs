using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Appliance.Daemon.Cluster.Transport;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

/// <summary>
/// Stalled connections (TCP open, no TLS) against the listener's handshake slots: each address
/// gets a few, strangers share a pool that listed peers never need, and a stalled slot is freed
/// after the handshake timeout. Real sockets on distinct 127.0.0.x source addresses.
/// </summary>
public class HandshakeSlotTests(ITestOutputHelper output) : TransportTestBase(output)
{
    private static readonly IPAddress ServerAddress = IPAddress.Parse("127.0.0.61");
    private static readonly IPAddress StrangerAddress = IPAddress.Parse("127.0.0.62");
    private static readonly IPAddress OtherAddress = IPAddress.Parse("127.0.0.63");
    private static readonly IPAddress PeerAddress = IPAddress.Parse("127.0.0.64");
    /// <summary>A handshake that waits for no slot: well under a second even on a loaded machine.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(2);
    private readonly List<TcpClient> _stalled = [];

    [Fact]
    public async Task Stalled_connections_from_one_address_leave_room_for_a_handshake_from_another()
    {
        var defaults = new TransportOptions();
        // A long timeout: what lets the other address in must be the per-address cap, not expiry.
        var options = new TransportOptions { UnlistedHandshakeTimeout = TimeSpan.FromSeconds(30) };
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = Transport(NewCertificate("server-peer"), options: options)
            .Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted));

        await StallAsync(listener, StrangerAddress, 32);
        var refused = await RefusalsSettledAsync(StrangerAddress);

        var clock = Stopwatch.StartNew();
        await using var client = await Transport(NewCertificate("client-peer"), options: options)
            .ConnectAsync(listener.LocalEndPoint, Ct, OtherAddress).WaitAsync(Unexpected);
        Assert.NotNull(await accepted.Reader.ReadAsync(Ct).AsTask().WaitAsync(Unexpected));
        Output.WriteLine($"handshake from {OtherAddress} took {clock.ElapsedMilliseconds} ms beside 32 stalled connections");
        Assert.True(clock.Elapsed < Prompt, $"the handshake took {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(32 - defaults.MaxPendingHandshakesPerAddress, refused);
        Assert.Contains(LogLines, l => l.Contains(
            $"refusing {StrangerAddress}:", StringComparison.Ordinal) && l.EndsWith(
            $"{defaults.MaxPendingHandshakesPerAddress} connections already in handshake from this address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_listed_peer_gets_in_when_strangers_from_many_addresses_hold_every_shared_slot()
    {
        var options = new TransportOptions { UnlistedHandshakeTimeout = TimeSpan.FromSeconds(30), MaxPendingHandshakes = 4, MaxPendingHandshakesPerAddress = 2 };
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = Transport(NewCertificate("server-peer"), options: options)
            .Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted), address => address.Equals(PeerAddress));
        var strangers = Enumerable.Range(71, 3).Select(n => IPAddress.Parse($"127.0.0.{n}")).ToList();
        foreach (var stranger in strangers)
            await StallAsync(listener, stranger, 2); // 6 from 3 addresses, within each one's cap
        await WaitForLogAsync("4 connections already in handshake from unlisted addresses");

        var peer = Transport(NewCertificate("client-peer"), options: options);
        var clock = Stopwatch.StartNew();
        await using (var channel = await peer.ConnectAsync(listener.LocalEndPoint, Ct, PeerAddress).WaitAsync(Unexpected))
            Assert.NotNull(await accepted.Reader.ReadAsync(Ct).AsTask().WaitAsync(Unexpected));
        Assert.True(clock.Elapsed < Prompt, $"the listed peer's handshake took {clock.Elapsed.TotalSeconds:0.0} s");
        // Strangers stay out of the pool the peer used; the peer itself keeps its per-address cap.
        await Assert.ThrowsAnyAsync<IOException>(() => Transport(NewCertificate("stranger"), options: options)
            .ConnectAsync(listener.LocalEndPoint, Ct, OtherAddress).WaitAsync(Unexpected));
        await StallAsync(listener, PeerAddress, 2);
        await Assert.ThrowsAnyAsync<IOException>(() => peer.ConnectAsync(listener.LocalEndPoint, Ct, PeerAddress).WaitAsync(Unexpected));
        await WaitForLogAsync($"refusing {PeerAddress}");
        Assert.Contains(LogLines, l => l.Contains($"refusing {PeerAddress}:", StringComparison.Ordinal)
            && l.EndsWith("2 connections already in handshake from this address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stalled_connection_from_a_listed_address_is_given_the_longer_handshake_timeout()
    {
        var options = new TransportOptions { HandshakeTimeout = TimeSpan.FromSeconds(1.5), UnlistedHandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        await using var listener = Transport(NewCertificate("server-peer"), options: options)
            .Listen(new IPEndPoint(ServerAddress, 0), (_, _) => Task.CompletedTask, address => address.Equals(PeerAddress));
        await StallAsync(listener, StrangerAddress, 1);
        await StallAsync(listener, PeerAddress, 1);
        var clock = Stopwatch.StartNew();
        await AssertClosedByServerAsync(_stalled[0]);
        var stranger = clock.Elapsed;
        await AssertClosedByServerAsync(_stalled[1]);
        var peer = clock.Elapsed;
        Output.WriteLine($"stranger closed after {stranger.TotalMilliseconds:0} ms, listed address after {peer.TotalMilliseconds:0} ms");
        Assert.True(stranger < TimeSpan.FromSeconds(1.2), $"the stranger's stalled connection was held {stranger.TotalSeconds:0.0} s");
        Assert.True(peer > TimeSpan.FromSeconds(1.3), $"the listed address's was closed after {peer.TotalSeconds:0.0} s");
        await WaitForLogAsync("did not complete within 1.5 s");
    }

    [Fact]
    public async Task By_default_a_stalled_connection_gives_its_slot_back_after_3_s()
    {
        await using var listener = Transport(NewCertificate("server-peer"), options: new TransportOptions())
            .Listen(new IPEndPoint(ServerAddress, 0), (_, _) => Task.CompletedTask);
        var clock = Stopwatch.StartNew();
        await StallAsync(listener, StrangerAddress, 1);
        await AssertClosedByServerAsync(_stalled[0]);
        Output.WriteLine($"closed after {clock.ElapsedMilliseconds} ms");
        // Not before the timeout (a real handshake on a loaded box must fit), and not much after.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(5));
        await WaitForLogAsync("did not complete within 3 s");
    }

    /// <summary>Opens <paramref name="count"/> TCP connections from <paramref name="from"/> that never send a byte.</summary>
    private async Task StallAsync(TransportListener listener, IPAddress from, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var raw = Owned(new TcpClient(new IPEndPoint(from, 0)));
            _stalled.Add(raw);
            await raw.ConnectAsync(listener.LocalEndPoint, Ct).AsTask().WaitAsync(Unexpected);
        }
    }

    /// <summary>How many connections from <paramref name="from"/> the listener refused, once that number stops growing.</summary>
    private async Task<int> RefusalsSettledAsync(IPAddress from)
    {
        int Count() => LogLines.Count(l => l.Contains($"refusing {from}:", StringComparison.Ordinal));
        var deadline = Stopwatch.StartNew();
        var (last, stable) = (-1, Stopwatch.StartNew());
        while (deadline.Elapsed < Unexpected)
        {
            var now = Count();
            if (now != last) (last, stable) = (now, Stopwatch.StartNew());
            else if (now > 0 && stable.Elapsed > TimeSpan.FromMilliseconds(500)) return now;
            await Task.Delay(20, Ct);
        }
        return Count();
    }
}
