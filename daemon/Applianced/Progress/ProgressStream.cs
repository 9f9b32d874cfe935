namespace Appliance.Daemon.Progress;

/// <summary>
/// A read-only view of a stream that moves a <see cref="WorkProgress"/> as it is read: by the
/// stream's position when it has one (a reader that looks ahead and rewinds is not counted twice),
/// else by the bytes read; <paramref name="before"/> is what the phase counted before this stream
/// (several files in one phase). Leaves the inner stream open.
/// </summary>
public sealed class ProgressStream(Stream inner, WorkProgress progress, long before = 0) : Stream
{
    private readonly long _start = inner.CanSeek ? inner.Position : 0;
    private long _read;

    /// <summary>The stream itself when nobody asked for progress, so the common path costs nothing.</summary>
    public static Stream Wrap(Stream inner, WorkProgress? progress, long before = 0) =>
        progress is null ? inner : new ProgressStream(inner, progress, before);

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Moved(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Moved(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Moved(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush() { }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Moved(int n)
    {
        _read += n;
        progress.Set(before + (inner.CanSeek ? inner.Position - _start : _read));
        return n;
    }
}
