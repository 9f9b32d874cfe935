using System.Threading.Channels;

namespace Appliance.Hal.Lcd;

/// <summary>
/// The host side of the CFA-635 protocol over one open stream: one command outstanding at a time,
/// responses matched by type (0x40 | command), error responses (0xC0 | command) thrown, key reports
/// passed on. It lives as long as the stream does; reconnecting builds a new link.
/// </summary>
public sealed class Cfa635Link : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Cfa635Options _options;
    private readonly Cfa635PacketReader _reader;
    private readonly SemaphoreSlim _oneOutstanding = new(1, 1);
    private readonly Channel<Cfa635Packet> _reports = Channel.CreateUnbounded<Cfa635Packet>();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private Pending? _pending;

    /// <summary>Starts reading <paramref name="stream"/>; the link owns and disposes it.</summary>
    public Cfa635Link(Stream stream, Cfa635Options? options = null)
    {
        _stream = stream;
        _options = options ?? new Cfa635Options();
        _reader = new Cfa635PacketReader(stream);
        _lost.Task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Reports (type 0x80..0xBF) as they arrive.</summary>
    public ChannelReader<Cfa635Packet> Reports => _reports.Reader;

    /// <summary>Completes (faulted with the cause) when the line is lost or the link disposed.</summary>
    public Task Lost => _lost.Task;

    /// <summary>Corrupted packets skipped so far.</summary>
    public int CorruptPackets => _reader.CorruptPackets;

    /// <summary>Attempts resent after a timeout so far.</summary>
    public int Resends { get; private set; }

    /// <summary>Responses that matched no outstanding command (late answers to a timed-out attempt).</summary>
    public int StrayResponses { get; private set; }

    /// <summary>When the last command completed; the keep-alive pings only after idle time.</summary>
    public DateTime LastActivityUtc { get; private set; } = DateTime.UtcNow;

    /// <summary>Sends a command and returns its response packet.</summary>
    /// <exception cref="Cfa635CommandException">The display answered with an error response.</exception>
    /// <exception cref="Cfa635TimeoutException">No answer after all retries.</exception>
    /// <exception cref="Cfa635LineLostException">The line went away.</exception>
    public async Task<Cfa635Packet> SendAsync(Cfa635Command command, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var packet = new Cfa635Packet((byte)command, data);
        var bytes = packet.Encode();
        await _oneOutstanding.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var attempts = _options.Retries + 1;
            for (var attempt = 0; attempt < attempts; attempt++)
            {
                ThrowIfLost(command);
                if (attempt > 0)
                    Resends++;
                var pending = new Pending((byte)command);
                Volatile.Write(ref _pending, pending);
                await WriteAsync(bytes, command, cancellationToken).ConfigureAwait(false);
                var answer = await Task.WhenAny(pending.Response.Task, _lost.Task, Task.Delay(_options.ResponseTimeout, cancellationToken)).ConfigureAwait(false);
                Volatile.Write(ref _pending, null);
                cancellationToken.ThrowIfCancellationRequested();
                if (answer != pending.Response.Task)
                    continue;
                var response = await pending.Response.Task.ConfigureAwait(false);
                LastActivityUtc = DateTime.UtcNow;
                if (response.Kind == Cfa635Protocol.ErrorType)
                    throw new Cfa635CommandException((byte)command,
                        $"CFA-635 refused {Cfa635Packet.NameOf((byte)command)} with data [{Convert.ToHexString(data.Span)}]");
                return response;
            }
            ThrowIfLost(command);
            throw new Cfa635TimeoutException((byte)command,
                $"CFA-635 did not answer {Cfa635Packet.NameOf((byte)command)} in {attempts} attempts of {_options.ResponseTimeout.TotalMilliseconds:0} ms");
        }
        finally
        {
            _oneOutstanding.Release();
        }
    }

    private async Task WriteAsync(byte[] bytes, Cfa635Command command, CancellationToken cancellationToken)
    {
        try
        {
            // A pty whose other end has gone can block a write for ever; bound it and call the line lost.
            await _stream.WriteAsync(bytes, cancellationToken).AsTask().WaitAsync(_options.WriteTimeout, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).WaitAsync(_options.WriteTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or TimeoutException or InvalidOperationException)
        {
            var lost = new Cfa635LineLostException($"CFA-635 line lost while sending {Cfa635Packet.NameOf((byte)command)}: {e.Message}", e);
            _lost.TrySetException(lost);
            throw lost;
        }
    }

    private void ThrowIfLost(Cfa635Command command)
    {
        if (!_lost.Task.IsCompleted)
            return;
        var cause = _lost.Task.Exception?.InnerException;
        throw new Cfa635LineLostException($"CFA-635 line lost while waiting for {Cfa635Packet.NameOf((byte)command)}: {cause?.Message ?? "closed"}", cause);
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var read = await _reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                if (read is not { } packet)
                {
                    _lost.TrySetException(new Cfa635LineLostException("CFA-635 line closed (end of stream)"));
                    return;
                }
                Dispatch(packet);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _lost.TrySetException(new Cfa635LineLostException("CFA-635 link closed"));
        }
        catch (Exception e)
        {
            _lost.TrySetException(new Cfa635LineLostException($"CFA-635 line lost: {e.Message}", e));
        }
        finally
        {
            _reports.Writer.TryComplete();
        }
    }

    private void Dispatch(Cfa635Packet packet)
    {
        switch (packet.Kind)
        {
            case Cfa635Protocol.ReportType:
                _reports.Writer.TryWrite(packet);
                break;
            case Cfa635Protocol.ResponseType or Cfa635Protocol.ErrorType:
                var pending = Volatile.Read(ref _pending);
                if (pending is null || pending.Command != packet.Code || !pending.Response.TrySetResult(packet))
                    StrayResponses++;
                break;
            default:
                // A command travelling towards the host means an echoing line (echo on a pty); ignore.
                break;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _lost.TrySetException(new Cfa635LineLostException("CFA-635 link closed"));
        // Closing a serial port whose line hung up can block; never hold the caller on it.
        var close = Task.Run(_stream.Dispose);
        await Task.WhenAny(close, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        await Task.WhenAny(_readLoop, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Pending(byte command)
    {
        public byte Command { get; } = command;
        public TaskCompletionSource<Cfa635Packet> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
