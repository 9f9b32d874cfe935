using System.IO.Ports;

namespace Appliance.Hal.Lcd;

/// <summary>Opens a serial device (or a pty) 8N1 raw and hands it out as a stream that owns the port.</summary>
public static class SerialLine
{
    /// <summary>Opens <paramref name="path"/> at <paramref name="baudRate"/>; throws naming the path when it cannot.</summary>
    public static Stream Open(string path, int baudRate)
    {
        if (!Exists(path))
            throw new FileNotFoundException($"serial device {path} does not exist", path);
        var port = new SerialPort(path, baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            // Writes to a hung-up pty otherwise block for ever and then block Close too.
            WriteTimeout = 2000,
        };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new IOException($"cannot open serial device {path}: {e.Message}", e);
        }
        return new PortStream(port);
    }

    /// <summary>True when <paramref name="path"/> exists, following symbolic links: a pty link
    /// whose pty has gone (socat stopped) is dangling, and File.Exists alone says true for it.</summary>
    public static bool Exists(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            return false;
        if (file.LinkTarget is null)
            return true;
        try
        {
            return file.ResolveLinkTarget(returnFinalTarget: true)?.Exists == true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Delegates to the port's stream and closes the port with it.</summary>
    private sealed class PortStream(SerialPort port) : Stream
    {
        private readonly Stream _inner = port.BaseStream;

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                port.Dispose();
            base.Dispose(disposing);
        }
    }
}
