using System.Diagnostics;

namespace Appliance.Daemon.Health;

/// <summary>
/// A watched loop's proof that it goes round: the loop calls <see cref="Beat"/> on every turn,
/// including idle ones (it waits at most <see cref="Interval"/> for work), so an idle daemon still
/// proves it is alive. <see cref="Liveness"/> reads the age; the systemd watchdog is pinged only
/// while every watched heartbeat is fresh.
/// </summary>
public sealed class Heartbeat(string name, string description)
{
    /// <summary>How often a loop goes round when idle until <see cref="Liveness"/> sets its own pace.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _last = Stopwatch.GetTimestamp();
    private volatile bool _hang;

    /// <summary>Short name (`store`, `api`, `cluster`), as the test fault command takes it.</summary>
    public string Name { get; } = name;

    /// <summary>What the log and the status line call the loop ("store committer").</summary>
    public string Description { get; } = description;

    /// <summary>The longest an idle loop waits before it goes round (and beats) again.</summary>
    public TimeSpan Interval { get; internal set; } = DefaultInterval;

    /// <summary>Whether a <see cref="Liveness"/> judges this heartbeat (a loop may skip costly proofs otherwise).</summary>
    public bool Watched { get; internal set; }

    /// <summary>Monotonic: a change of the wall clock neither ages nor refreshes a heartbeat.</summary>
    public void Beat() => Volatile.Write(ref _last, Stopwatch.GetTimestamp());

    /// <summary>How long ago the loop last went round.</summary>
    public TimeSpan Age => Stopwatch.GetElapsedTime(Volatile.Read(ref _last));

    /// <summary>
    /// Test fault (`test.hang`, only with --test-faults): from now on the loop blocks for good at
    /// its next <see cref="HangIfAsked"/>, as a deadlocked loop would, so its heartbeat goes stale.
    /// </summary>
    public void Hang() => _hang = true;

    /// <summary>
    /// Where a watched loop stops when a hang was asked for: a task that never completes (it ends
    /// only with <paramref name="stop"/>, so an async loop still stops with the daemon); completed
    /// at once otherwise.
    /// </summary>
    public Task HangIfAsked(CancellationToken stop = default) => _hang ? _never.Task.WaitAsync(stop) : Task.CompletedTask;
}
