namespace Appliance.Tests.Support;

/// <summary>What /dev/zero gives: zeros, <paramref name="length"/> of them, or without end when null.</summary>
public sealed class ZeroStream(long? length = null) : Stream
{
    /// <summary>Completes at the first read.</summary>
    public TaskCompletionSource FirstRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int Read(byte[] buffer, int offset, int count)
    {
        FirstRead.TrySetResult();
        var n = (int)Math.Min(count, (length ?? long.MaxValue) - Position);
        Array.Clear(buffer, offset, n);
        Position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => length is not null;
    public override bool CanWrite => false;
    public override long Length => length ?? throw new NotSupportedException();
    public override long Position { get; set; }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => Position = origin == SeekOrigin.Begin ? offset : throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
