using System.Diagnostics;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// One thread beats for every outbound session of this peer and ends those whose peer has gone
/// silent. A session beating on its own timer cost an idle daemon about four thread wake-ups per
/// beat (the timer re-armed, its firing, the pool worker that ran the beat and the one the pool
/// woke beside it); here all sessions beat on the same half-second grid, so one wake-up sends every
/// beat that is due (issue 19, idle CPU). The thread still wakes when a session's peer reaches
/// DeadAfter, so a silent peer is dropped as promptly as before. It never waits for a send: a
/// stuck connection cannot hold the other sessions' beats back.
/// </summary>
internal sealed class HeartbeatThread : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<OutboundSession> _sessions = [];
    private readonly AutoResetEvent _changed = new(false);
    private Thread? _thread;
    private volatile bool _stopping;

    /// <summary>Starts beating for <paramref name="session"/> at once (the thread starts with the first session).</summary>
    public void Add(OutboundSession session)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _sessions.Add(session);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "heartbeats" };
                _thread.Start();
            }
            _changed.Set();
        }
    }

    public void Remove(OutboundSession session)
    {
        lock (_gate) _sessions.Remove(session);
    }

    /// <summary>The next beat time on the grid every session of this peer shares.</summary>
    public static long NextBeat(long now) => (now / GridTicks + 1) * GridTicks;

    private static readonly long GridTicks = (long)(ClusterService.HeartbeatInterval.TotalSeconds * Stopwatch.Frequency);

    private void Run()
    {
        while (!_stopping)
        {
            OutboundSession[] sessions;
            lock (_gate) sessions = [.. _sessions];
            var now = Stopwatch.GetTimestamp();
            var wait = Timeout.InfiniteTimeSpan;
            foreach (var session in sessions)
            {
                var next = session.Tick(now);
                if (next != Timeout.InfiniteTimeSpan && (wait == Timeout.InfiniteTimeSpan || next < wait)) wait = next;
            }
            _changed.WaitOne(WholeMilliseconds(wait));
        }
    }

    /// <summary>
    /// Rounded up: the wait counts whole milliseconds, and a wake-up a fraction of one before a beat
    /// is due would find nothing to send and wake again at once (twice the wake-ups, measured).
    /// </summary>
    private static int WholeMilliseconds(TimeSpan wait) =>
        wait == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Ceiling(wait.TotalMilliseconds);

    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            _stopping = true;
            thread = _thread;
        }
        _changed.Set();
        thread?.Join();
        _changed.Dispose();
    }
}
