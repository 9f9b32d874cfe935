using System.Security.Cryptography;

namespace Appliance.Daemon.Backup;

public sealed partial class BackupWriter
{
    /// <summary>
    /// Feeds exactly the measured number of bytes of an entry to the tar writer (which needs the
    /// size up front) and hashes them again on the way, so an entry that changed between measuring
    /// and writing fails the backup instead of producing a manifest that lies.
    /// </summary>
    private sealed class HashingSlice(Stream source, long size, string name) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => size;

        public override long Position
        {
            get => _read;
            set
            {
                if (value != _read)
                    throw new NotSupportedException("HashingSlice reads forward only");
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var want = (int)Math.Min(buffer.Length, size - _read);
            if (want == 0)
                return 0;
            var n = source.Read(buffer[..want]);
            return Account(buffer[..n]);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var want = (int)Math.Min(buffer.Length, size - _read);
            if (want == 0)
                return 0;
            var n = await source.ReadAsync(buffer[..want], ct).ConfigureAwait(false);
            return Account(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public void CheckComplete(string expectedSha256)
        {
            string actual;
            using (_hash)
                actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (_read != size || actual != expectedSha256)
                throw new BackupException(BackupError.InvalidArgument, $"entry \"{name}\" changed while the backup was written");
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _read + offset,
                _ => size + offset,
            };
            Position = target;
            return _read;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Account(ReadOnlySpan<byte> got)
        {
            if (got.IsEmpty)
                throw new BackupException(BackupError.InvalidArgument, $"entry \"{name}\" shrank while the backup was written ({_read} of {size} bytes)");
            _hash.AppendData(got);
            _read += got.Length;
            return got.Length;
        }
    }
}
