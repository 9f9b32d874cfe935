namespace Appliance.Daemon.Cluster;

/// <summary>
/// What this peer knows about one configured peer address. A link is active when both directions
/// are up: ours (we stream to them) and theirs (they stream to us), i.e. both sides agree.
/// </summary>
public sealed class PeerLink(string address, TimeProvider time)
{
    private readonly Lock _gate = new();
    // Sessions up per direction, not flags: a peer that dials again can have its new inbound
    // session up before the old one has ended, and the old one's Down must not hide the new one.
    private int _outboundUp;
    private int _inboundUp;
    private string? _reason;
    private string? _detail;
    private DateTimeOffset? _lastSeen;
    private bool _attempted;
    private readonly Signal _redial = new();
    private DateTimeOffset _lastQuickRedial = DateTimeOffset.MinValue;
    private DateTimeOffset? _quickRedialAt;
    private static readonly TimeSpan QuickRedialEvery = TimeSpan.FromMilliseconds(500);

    public string Address { get; } = address;
    public string? HostName { get; private set; }
    public string? PeerId { get; private set; }
    public string? RemoteVersion { get; private set; }

    /// <summary>How the peer's list differs from ours while a third peer is added or removed (<see cref="HelloCheck.ListInTransition"/>): we replicate, the alarm stays.</summary>
    public string? ListDiffers { get; private set; }
    public double? RttMs { get; private set; }
    public double? ClockOffsetMs { get; private set; }

    public event Action? Changed;

    /// <summary>Raised when the link becomes active (both directions up), not on every Up of one direction.</summary>
    public event Action? Activated;

    public bool Active
    {
        get { lock (_gate) return _outboundUp > 0 && _inboundUp > 0; }
    }

    public string? Reason
    {
        get { lock (_gate) return _reason; }
    }

    public void Up(bool outbound, string peerId, string host, string version, string? listDiffers = null)
    {
        bool activated, redial;
        lock (_gate)
        {
            var was = _outboundUp > 0 && _inboundUp > 0;
            // The peer just accepted us as we are: whatever refused or failed our own dial may be gone.
            redial = !outbound && _outboundUp == 0;
            if (outbound) _outboundUp++;
            else _inboundUp++;
            activated = !was && _outboundUp > 0 && _inboundUp > 0;
            (PeerId, HostName, RemoteVersion, ListDiffers) = (peerId, host, version, listDiffers);
            _reason = _detail = null;
            _lastSeen = time.GetUtcNow();
        }
        if (redial) Redial();
        Changed?.Invoke();
        if (activated) Activated?.Invoke();
    }

    /// <summary>The peer's host name changed (its replicated system record says so) while the link stays up.</summary>
    public void Renamed(string host)
    {
        lock (_gate)
        {
            if (PeerId is null || HostName == host) return;
            HostName = host;
        }
        Changed?.Invoke();
    }

    /// <summary>Ends the dialer's wait before its next attempt: something changed that may let it succeed now.</summary>
    public void Redial() => _redial.Set();

    /// <summary>
    /// The dialer's wait between attempts: <paramref name="delay"/>, or less when <see cref="Redial"/>
    /// is called meanwhile (or was since the last wait), or when our session has just ended (see
    /// <see cref="Down"/>). Without it, two peers given a new peer list a moment apart each refuse
    /// the other's first Hello and then wait out the delay before agreeing.
    /// </summary>
    public async Task WaitToRedialAsync(TimeSpan delay, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_quickRedialAt is { } at) delay = TimeSpan.FromTicks(Math.Clamp((at - time.GetUtcNow()).Ticks, 0, delay.Ticks));
            _quickRedialAt = null;
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(Task.Delay(delay, time, wait.Token), _redial.WaitAsync(Timeout.InfiniteTimeSpan, wait.Token));
        await wait.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }

    public void Down(bool outbound)
    {
        lock (_gate)
        {
            ref var up = ref outbound ? ref _outboundUp : ref _inboundUp;
            // The dialer also reports a failed attempt that never came up.
            if (up == 0) return;
            up--;
            if (up > 0) return;
            if (_outboundUp == 0 && _inboundUp == 0) ListDiffers = null; // the next Hello says again
            // Our session was up and has ended: the peer may only have restarted its sessions (a new
            // key or list), so the dialer's next wait (this runs on its flow) ends at once, or, to
            // stay under twice a second, half a second after the last quick retry. Never skipped:
            // the peer's new session can reach us before ours is seen to end, and wake nothing.
            if (outbound)
            {
                var now = time.GetUtcNow();
                var due = _lastQuickRedial + QuickRedialEvery;
                _lastQuickRedial = due > now ? due : now;
                _quickRedialAt = _lastQuickRedial;
            }
        }
        Changed?.Invoke();
    }

    public void Refused(string reason, string? detail)
    {
        lock (_gate)
        {
            if (_reason == reason && _detail == detail) return;
            (_reason, _detail) = (reason, detail);
        }
        Changed?.Invoke();
    }

    public void Seen() { lock (_gate) _lastSeen = time.GetUtcNow(); }

    private long _inboundHeard;

    /// <summary>
    /// When the peer's own connection last brought a frame (a Stopwatch stamp), while that connection
    /// is up; 0 when it is not, so a peer whose connection ended is judged by ours alone.
    /// </summary>
    public long InboundHeard => Volatile.Read(ref _inboundUp) > 0 ? Interlocked.Read(ref _inboundHeard) : 0;

    /// <summary>The peer's connection brought a frame: the peer lives, whatever our connection hears.</summary>
    public void HeardInbound() => Interlocked.Exchange(ref _inboundHeard, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>
    /// One heartbeat's round trip and clock offset, smoothed (EWMA) so a single slow sample on a
    /// busy machine does not raise the RTT alarm while a lasting delay does within a few seconds.
    /// </summary>
    public void Measured(double rttMs, double offsetMs)
    {
        const double weight = 0.3;
        RttMs = RttMs is { } r ? r + weight * (rttMs - r) : rttMs;
        ClockOffsetMs = ClockOffsetMs is { } o ? o + weight * (offsetMs - o) : offsetMs;
        Seen();
    }

    /// <summary>A connection attempt failed; until the first attempt a peer is not yet called unreachable.</summary>
    public void Attempted()
    {
        var first = false;
        lock (_gate)
        {
            first = !_attempted;
            _attempted = true;
        }
        if (first) Changed?.Invoke();
    }

    /// <summary>R2: a listed peer that never answered has not joined yet (the guide's Task 3), it is not lost.</summary>
    public const string NeverSeen = "Not active yet (never seen)";

    /// <summary>The status line of R2, as `cluster show` prints it.</summary>
    public string Status()
    {
        lock (_gate)
        {
            if (_reason is not null) return PeerReasons.Text(_reason, _detail);
            if (_outboundUp > 0 && _inboundUp > 0)
                return ListDiffers is null ? $"Active as {HostName}" : $"Active as {HostName} ({PeerReasons.Text(PeerReasons.PeerListMismatch, null)}: {ListDiffers})";
            if (_outboundUp > 0 || _inboundUp > 0) return "Not active yet";
            return _lastSeen is { } seen
                ? $"Unreachable (last seen {(int)(time.GetUtcNow() - seen).TotalSeconds} s ago)"
                : _attempted ? NeverSeen : "Connecting";
        }
    }

    public bool Unreachable
    {
        get { lock (_gate) return _attempted && _reason is null && _outboundUp == 0 && _inboundUp == 0; }
    }
}
