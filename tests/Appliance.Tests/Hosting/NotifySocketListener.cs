using System.Net.Sockets;
using System.Text;

namespace Appliance.Tests.Hosting;

/// <summary>Plays systemd's side of NOTIFY_SOCKET: a datagram unix socket that keeps what it receives.</summary>
internal sealed class NotifySocketListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly Lock _gate = new();
    private readonly List<(TimeSpan At, string Message)> _messages = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly SemaphoreSlim _received = new(0);
    private readonly Task _loop;

    /// <param name="path">A file path, or "@name" for the abstract namespace.</param>
    public NotifySocketListener(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path));
        _loop = Task.Run(ReceiveAsync);
    }

    public string Path { get; }

    public IReadOnlyList<string> Messages
    {
        get { lock (_gate) return [.. _messages.Select(m => m.Message)]; }
    }

    /// <summary>The messages with when each arrived (time since the listener was made).</summary>
    public IReadOnlyList<(TimeSpan At, string Message)> Timed
    {
        get { lock (_gate) return [.. _messages]; }
    }

    /// <summary>Time since the listener was made, on the clock of <see cref="Timed"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public async Task<IReadOnlyList<string>> WaitUntilAsync(Func<IReadOnlyList<string>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var now = Messages;
            if (done(now))
                return now;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _received.WaitAsync(left))
                throw new TimeoutException($"notify socket got only [{string.Join(", ", Messages)}] within {timeout}");
        }
    }

    public void Dispose()
    {
        _socket.Dispose(); // ends the receive loop
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The loop ends with the socket's disposal error.
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (_gate)
                _messages.Add((_clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, length)));
            _received.Release();
        }
    }
}
