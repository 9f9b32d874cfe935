using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Appliance.Tests.Harness;

public sealed partial class DelayRelay
{
    private async Task RelayAsync(Socket accepted, string via, IPEndPoint target, CancellationToken ct)
    {
        using var inbound = accepted;
        using var outbound = await _switch.RunAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }).ConfigureAwait(false);
        inbound.NoDelay = true;
        try
        {
            outbound.Bind(new IPEndPoint(IPAddress.Parse(via), 0));
            await outbound.ConnectAsync(target, ct).ConfigureAwait(false);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var up = PipeAsync(inbound, outbound, both.Token);
            var down = PipeAsync(outbound, inbound, both.Token);
            // One side failing (reset) ends the pair; a clean EOF is half-closed and waits for the other.
            var first = await Task.WhenAny(up, down).ConfigureAwait(false);
            if (first.IsFaulted) await both.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _log($"relay: {accepted.RemoteEndPoint} -> {target}: {e.GetType().Name} {e.Message}");
        }
    }

    /// <summary>
    /// Reads as fast as the source sends and releases each chunk once its delay is over, so the
    /// relay adds latency, not a bandwidth limit.
    /// </summary>
    private async Task PipeAsync(Socket from, Socket to, CancellationToken ct)
    {
        var queue = Channel.CreateUnbounded<(long Due, byte[] Data)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var (due, data) in queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var wait = Stopwatch.GetElapsedTime(due);
                if (wait < TimeSpan.Zero) await Task.Delay(-wait, ct).ConfigureAwait(false);
                await to.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            }
            to.Shutdown(SocketShutdown.Send);
        }, ct);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0) break;
                var due = Stopwatch.GetTimestamp() + (long)(OneWayDelay.TotalSeconds * Stopwatch.Frequency);
                queue.Writer.TryWrite((due, buffer[..n]));
            }
        }
        finally
        {
            queue.Writer.TryComplete();
        }
        await writer.ConfigureAwait(false);
    }
}
