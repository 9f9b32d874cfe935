using System.Net;

namespace Appliance.Sip;

/// <summary>One stream connection: a framing read loop (closed when idle too long) and serialized writes.</summary>
internal sealed class SipStreamConnection(Stream stream, IPEndPoint remote, SipLimits limits, TimeSpan idleTimeout) : IAsyncDisposable
{
    private readonly SemaphoreSlim _write = new(1, 1);
    private int _disposed;

    public IPEndPoint Remote { get; } = remote;

    /// <summary>Reads until the peer closes; each framed message goes to <paramref name="deliver"/>. A framing error throws.</summary>
    public async Task ReadMessagesAsync(Action<ReadOnlyMemory<byte>> deliver, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                // Framing has refused anything over the limit before the buffer grows past it.
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limits.MaxMessageBytes + 4096));
            }
            int n;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                // Nothing read for this long (or a message that never completes): the connection goes,
                // so idle connections cannot hold the transport's connection limit.
                idle.CancelAfter(idleTimeout);
                try
                {
                    n = await stream.ReadAsync(buffer.AsMemory(filled), idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"nothing received for {idleTimeout.TotalSeconds:0.#} s");
                }
            }
            if (n == 0) return;
            filled += n;
            var start = 0;
            while (SipFraming.TryFrame(buffer.AsSpan(start, filled - start), limits, out var skip, out var length))
            {
                start += skip;
                if (length == 0) break;
                deliver(buffer.AsMemory(start, length).ToArray());
                start += length;
            }
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
            }
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(message, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await stream.DisposeAsync().ConfigureAwait(false);
    }
}
