using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Appliers;

/// <summary>What an applier last did: state applied, pending, failed or unavailable (the host service is absent).</summary>
public sealed record ApplierStatus(string Name, string State, string Reason, DateTimeOffset? LastRun)
{
    public const string Applied = "applied";
    public const string Pending = "pending";
    public const string Failed = "failed";
    public const string Unavailable = "unavailable";
}

/// <summary>The outcome of one run; a thrown exception counts as <see cref="ApplierStatus.Failed"/> with its message.</summary>
public sealed record ApplyResult(string State, string Reason)
{
    public static ApplyResult Done(string reason) => new(ApplierStatus.Applied, reason);
    public static ApplyResult Absent(string reason) => new(ApplierStatus.Unavailable, reason);
    public static ApplyResult Refused(string reason) => new(ApplierStatus.Failed, reason);
}

/// <summary>
/// One reconcile loop that brings one piece of the host to what the store says. It runs at start,
/// whenever a commit touches what it reads (local or replicated), when asked, and on a slow timer
/// that repairs drift. Runs are serialized and coalesced: triggers during a run cause one more run.
/// A failure only changes the status and raises the applier's alarm: the store and replication
/// never wait for an applier (the commit thread only sets a flag).
/// </summary>
public abstract class Applier : IAsyncDisposable
{
    private readonly Cluster.Signal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private ApplierStatus _status;
    private Task? _loop;
    private long _runs;
    private int _disposed;

    protected Applier(string name, string alarmTitle, AlarmRegistry alarms, TimeSpan driftInterval)
    {
        Name = name;
        AlarmTitle = alarmTitle;
        Alarms = alarms;
        DriftInterval = driftInterval;
        _status = new ApplierStatus(name, ApplierStatus.Pending, "not run yet", null);
    }

    public string Name { get; }
    /// <summary>The alarm text prefix raised while this applier fails, e.g. "Ethernet speed not applied".</summary>
    public string AlarmTitle { get; }
    public string AlarmId => "applier:" + Name;
    public TimeSpan DriftInterval { get; }
    protected AlarmRegistry Alarms { get; }

    public ApplierStatus Status
    {
        get { lock (_gate) return _status; }
    }

    /// <summary>Completed runs, for tests that wait for the next one.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Raised after every run with its status.</summary>
    public event Action<ApplierStatus>? Ran;

    /// <summary>Whether a committed record concerns this applier.</summary>
    protected abstract bool Affects(StoredRecord record);

    /// <summary>Whether a change of a local section (never replicated, so not a commit) concerns this applier.</summary>
    public virtual bool AffectsLocal(string section) => false;

    /// <summary>Brings the host to the wanted state; throws or returns a failed result when it cannot.</summary>
    protected abstract Task<ApplyResult> ApplyAsync(CancellationToken ct);

    public void Start()
    {
        lock (_gate) _loop ??= Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>Runs again soon; several triggers before the run starts make one run.</summary>
    public void Trigger()
    {
        lock (_gate)
        {
            if (_status.State != ApplierStatus.Pending) _status = _status with { State = ApplierStatus.Pending, Reason = "change waiting to be applied" };
        }
        _wake.Set();
    }

    public void OnCommitted(CommitInfo commit)
    {
        if (commit.Changed.Any(Affects)) Trigger();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Reporting itself failed (e.g. the log disk is full): keep the loop alive and say so.
                lock (_gate) _status = new ApplierStatus(Name, ApplierStatus.Failed, $"cannot report the last run: {e.Message}", DateTimeOffset.UtcNow);
            }
            try { await _wake.WaitAsync(DriftInterval, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        ApplyResult result;
        try
        {
            result = await ApplyAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            result = ApplyResult.Refused(e.Message);
        }
        var status = new ApplierStatus(Name, result.State, result.Reason, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            // A trigger that came during the run keeps the status pending until the next run.
            if (_wake.IsSet) status = status with { State = ApplierStatus.Pending };
            _status = status;
        }
        Alarms.Set(AlarmId, result.State == ApplierStatus.Failed, AlarmRegistry.Error, $"{AlarmTitle}: {result.Reason}");
        Interlocked.Increment(ref _runs);
        Ran?.Invoke(status);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop; }
            catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }
}
