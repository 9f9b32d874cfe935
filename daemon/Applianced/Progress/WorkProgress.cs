using System.Diagnostics;

namespace Appliance.Daemon.Progress;

/// <summary>One reading of a long operation: what it does now, how far it is and how fast it goes.</summary>
public sealed record ProgressReport(string Phase, string Unit, long Done, long? Total, double PerSecond, DateTimeOffset Time)
{
    /// <summary>Whole percent of the total, null while the total is unknown.</summary>
    public int? Percent => Total switch
    {
        null => null,
        <= 0 => 100,
        var t => (int)Math.Min(100, Done * 100 / t.Value),
    };
}

/// <summary>
/// The progress of one long operation (a backup, a restore, an upgrade, a recovery pull): the code
/// doing the work moves it on, whoever shows it (an API progress stream, `cluster show`) reads it
/// from another thread. An operation runs in phases ("compressing", "verifying", "copying"), each
/// counted in bytes or records from 0 towards a total that may be unknown.
/// </summary>
public sealed class WorkProgress(TimeProvider? time = null)
{
    public const string Bytes = "bytes";
    public const string Records = "records";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    /// <summary>The last reading of each phase that ended and was not taken yet: a fast phase still shows, at its end.</summary>
    private readonly Queue<ProgressReport> _ended = new();
    private string? _phase;
    private string _unit = Bytes;
    private long _done;
    private long? _total;
    private long _startedAt;
    private long _changes;
    private long _taken = -1;

    /// <summary>Starts a phase counted from 0 (the previous one ends where it stood).</summary>
    public void Begin(string phase, long? total, string unit = Bytes)
    {
        lock (_lock)
        {
            if (_phase is not null) _ended.Enqueue(Read());
            (_phase, _unit, _done, _total, _startedAt) = (phase, unit, 0, total, Stopwatch.GetTimestamp());
            _changes++;
        }
    }

    public void Add(long count)
    {
        lock (_lock)
        {
            _done += count;
            // Counted past an estimate: the total was too low, and the work is not done yet.
            if (_total < _done) _total = _done;
            _changes++;
        }
    }

    /// <summary>How far the phase is, for work that knows its position (a stream's offset).</summary>
    public void Set(long done)
    {
        lock (_lock)
        {
            if (done == _done) return;
            _done = done;
            if (_total < _done) _total = _done;
            _changes++;
        }
    }

    /// <summary>The current phase's figures; null before the first phase.</summary>
    public ProgressReport? Current
    {
        get { lock (_lock) return _phase is null ? null : Read(); }
    }

    /// <summary>What a reader has not seen yet: the last reading of each phase that ended since, then the current one if it moved.</summary>
    public IReadOnlyList<ProgressReport> TakeChanges()
    {
        lock (_lock)
        {
            var changes = new List<ProgressReport>(_ended);
            _ended.Clear();
            if (_phase is not null && _changes != _taken) changes.Add(Read());
            _taken = _changes;
            return changes;
        }
    }

    private ProgressReport Read()
    {
        var seconds = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        var rate = seconds > 0 ? Math.Round(_done / seconds, 1) : 0;
        return new ProgressReport(_phase!, _unit, _done, _total, rate, _time.GetUtcNow());
    }
}
