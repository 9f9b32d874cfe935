namespace Appliance.Daemon.Cluster;

/// <summary>
/// What this peer knows about one configured peer address. A link is active when both directions
/// are up: ours (we stream to them) and theirs (they stream to us), i.e. both sides agree.
/// </summary>
public sealed class PeerLink(string address, TimeProvider time)
{
    private readonly Lock _gate = new();
    private bool _outboundUp;
    private bool _inboundUp;
    private string? _reason;
    private string? _detail;
    private DateTimeOffset? _lastSeen;

    public string Address { get; } = address;
    public string? HostName { get; private set; }
    public string? PeerId { get; private set; }
    public string? RemoteVersion { get; private set; }
    public double? RttMs { get; private set; }
    public double? ClockOffsetMs { get; private set; }

    public event Action? Changed;

    public bool Active
    {
        get { lock (_gate) return _outboundUp && _inboundUp; }
    }

    public string? Reason
    {
        get { lock (_gate) return _reason; }
    }

    public void Up(bool outbound, string peerId, string host, string version)
    {
        lock (_gate)
        {
            if (outbound) _outboundUp = true;
            else _inboundUp = true;
            (PeerId, HostName, RemoteVersion) = (peerId, host, version);
            _reason = _detail = null;
            _lastSeen = time.GetUtcNow();
        }
        Changed?.Invoke();
    }

    public void Down(bool outbound)
    {
        lock (_gate)
        {
            var was = outbound ? _outboundUp : _inboundUp;
            if (outbound) _outboundUp = false;
            else _inboundUp = false;
            if (!was) return;
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

    public void Measured(double rttMs, double offsetMs)
    {
        (RttMs, ClockOffsetMs) = (rttMs, offsetMs);
        Seen();
    }

    /// <summary>The status line of R2, as `cluster show` prints it.</summary>
    public string Status()
    {
        lock (_gate)
        {
            if (_reason is not null) return PeerReasons.Text(_reason, _detail);
            if (_outboundUp && _inboundUp) return $"Active as {HostName}";
            if (_outboundUp || _inboundUp) return "Not active yet";
            return _lastSeen is { } seen
                ? $"Unreachable (last seen {(int)(time.GetUtcNow() - seen).TotalSeconds} s ago)"
                : "Unreachable (never seen)";
        }
    }

    public bool Unreachable
    {
        get { lock (_gate) return _reason is null && !_outboundUp && !_inboundUp; }
    }
}
