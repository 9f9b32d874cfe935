using System.Collections.Concurrent;

namespace Appliance.Hal.Lcd;

/// <summary>
/// The DEVICE side of the CFA-635 protocol over a stream: answers commands as the display does
/// (responses, error responses, CRCs), keeps the 20x4 contents, and sends key reports.
/// lcdsim draws it in a terminal; tests use it as the display at the far end of a pty.
/// Faults can be injected: a response delay, commands left unanswered, corrupted responses.
/// </summary>
public sealed partial class Cfa635Device
{
    /// <summary>The version text GetVersion answers (16 bytes, as the real display's is).</summary>
    public const string VersionText = "CFA635:h1.5,c1.1";

    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly char[,] _screen = new char[Cfa635Protocol.Rows, Cfa635Protocol.Columns];
    private readonly object _screenLock = new();
    private readonly ConcurrentQueue<Cfa635Packet> _received = new();
    private int _corruptNext;

    /// <summary>Serves the protocol on <paramref name="stream"/> once <see cref="RunAsync"/> runs; the caller owns the stream.</summary>
    public Cfa635Device(Stream stream)
    {
        _stream = stream;
        ClearScreen();
    }

    /// <summary>Raised after any command changed the display contents.</summary>
    public event Action? ScreenChanged;

    /// <summary>Wait before each response (a slow display).</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>Commands for which this returns true are received and dropped without an answer.</summary>
    public Func<Cfa635Packet, bool>? Ignore { get; set; }

    /// <summary>Key press mask set by ConfigureKeyReporting (all keys until the host sets it).</summary>
    public byte PressMask { get; private set; } = Cfa635Protocol.MaskAll;

    /// <summary>Key release mask set by ConfigureKeyReporting.</summary>
    public byte ReleaseMask { get; private set; } = Cfa635Protocol.MaskAll;

    /// <summary>Cursor column, row and style as last set by the host.</summary>
    public (int Column, int Row, int Style) Cursor { get; private set; }

    /// <summary>Backlight 0..100 as last set.</summary>
    public int Backlight { get; private set; } = 100;

    /// <summary>Contrast as last set.</summary>
    public int Contrast { get; private set; } = 120;

    /// <summary>Valid commands received, in order (including ignored ones).</summary>
    public IReadOnlyCollection<Cfa635Packet> Received => _received;

    /// <summary>Corrupted packets skipped by the reader.</summary>
    public int CorruptPackets { get; private set; }

    /// <summary>The four rows as they are shown.</summary>
    public string[] Lines
    {
        get
        {
            lock (_screenLock)
            {
                var lines = new string[Cfa635Protocol.Rows];
                for (var r = 0; r < lines.Length; r++)
                {
                    var row = new char[Cfa635Protocol.Columns];
                    for (var c = 0; c < row.Length; c++)
                        row[c] = _screen[r, c];
                    lines[r] = new string(row);
                }
                return lines;
            }
        }
    }

    /// <summary>Makes the next <paramref name="count"/> responses go out with a wrong CRC.</summary>
    public void CorruptNextResponses(int count) => Interlocked.Exchange(ref _corruptNext, count);

    /// <summary>Serves commands until the stream ends or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = new Cfa635PacketReader(_stream);
        try
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } packet)
            {
                CorruptPackets = reader.CorruptPackets;
                if (packet.Kind != Cfa635Protocol.CommandType)
                    continue;
                _received.Enqueue(packet);
                if (Ignore?.Invoke(packet) == true)
                    continue;
                var response = Execute(packet);
                if (ResponseDelay > TimeSpan.Zero)
                    await Task.Delay(ResponseDelay, cancellationToken).ConfigureAwait(false);
                await SendAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            CorruptPackets = reader.CorruptPackets;
        }
    }

    /// <summary>Sends a key press report and, when the host asked for releases, the release report.</summary>
    public async Task PressKeyAsync(LcdKey key, CancellationToken cancellationToken = default)
    {
        var mask = LcdKeyCodes.Mask(key);
        if ((PressMask & mask) != 0)
            await SendAsync(new Cfa635Packet(Cfa635Protocol.KeyReport, new[] { (byte)key }), cancellationToken).ConfigureAwait(false);
        if ((ReleaseMask & mask) != 0)
            await SendAsync(new Cfa635Packet(Cfa635Protocol.KeyReport, new[] { (byte)((byte)key + LcdKeyCodes.ReleaseOffset) }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes raw bytes to the line (tests use it to inject noise).</summary>
    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Task SendAsync(Cfa635Packet packet, CancellationToken cancellationToken)
    {
        var bytes = packet.Encode();
        if (Interlocked.Decrement(ref _corruptNext) >= 0)
            bytes[^1] ^= 0x5A;
        else
            Interlocked.Exchange(ref _corruptNext, 0);
        return SendRawAsync(bytes, cancellationToken);
    }
}
