using System.Net.Sockets;
using System.Security.Cryptography;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// A stranger that keeps a fixed number of connections open to each target and never finishes a
/// handshake: half send nothing, half send the first bytes of a ClientHello whose record promises
/// more. The connections take turns among <paramref name="sources"/> (addresses of the stranger's
/// namespace). A connection the peer held until its handshake timeout is opened again at once, to
/// take the slot it just freed before anyone else can; one refused at once (or a peer that is
/// down) is tried again after <see cref="RetryPause"/>. So the slots stay taken at little cost.
/// </summary>
internal sealed class StallingStranger(RawClient client, IReadOnlyList<string> sources,
    IReadOnlyList<(string Address, int Port)> targets, int perTarget) : IAsyncDisposable
{
    /// <summary>After a refusal: patient, not a flood (BadInputFaultTests has that).</summary>
    public static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);
    /// <summary>A connection closed sooner was refused on accept, not held in a handshake.</summary>
    private static readonly TimeSpan HeldAtLeast = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _connected;
    private int _closedByPeer;
    private int _open;

    public int Connected => Volatile.Read(ref _connected);
    public int ClosedByPeer => Volatile.Read(ref _closedByPeer);
    public int Open => Volatile.Read(ref _open);

    public void Start()
    {
        foreach (var target in targets)
            for (var i = 0; i < perTarget; i++)
                _loops.Add(HoldAsync(sources[i % sources.Count], target, partialHello: i % 2 == 1, _stop.Token));
    }

    public override string ToString() =>
        $"{perTarget} per target from {sources.Count} addresses on {string.Join(", ", targets.Select(t => $"{t.Address}:{t.Port}"))}: {Connected} connected, {ClosedByPeer} closed by the peer, {Open} open now";

    private async Task HoldAsync(string source, (string Address, int Port) target, bool partialHello, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var held = TimeSpan.Zero;
            try
            {
                held = await HoldOnceAsync(source, target, partialHello, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                // Refused or unreachable while the peer is down.
            }
            if (held >= HeldAtLeast) continue;
            try { await Task.Delay(RetryPause, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One connection, held until the peer closes or resets it; returns how long that took.</summary>
    private async Task<TimeSpan> HoldOnceAsync(string source, (string Address, int Port) target, bool partialHello, CancellationToken ct)
    {
        using var socket = await client.ConnectAsync(target.Address, target.Port, source);
        var opened = System.Diagnostics.Stopwatch.StartNew();
        Interlocked.Increment(ref _connected);
        Interlocked.Increment(ref _open);
        try
        {
            if (partialHello) await socket.SendAsync(PartialClientHello(), ct);
            var buffer = new byte[256];
            while (await socket.ReceiveAsync(buffer, ct) > 0) { }
        }
        catch (SocketException) when (!ct.IsCancellationRequested)
        {
            // A reset is a close too.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
        Interlocked.Increment(ref _closedByPeer);
        return opened.Elapsed;
    }

    /// <summary>A TLS handshake record announcing a 512-byte ClientHello, of which only the first 40 bytes come.</summary>
    private static byte[] PartialClientHello() =>
        [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. RandomNumberGenerator.GetBytes(29)];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
