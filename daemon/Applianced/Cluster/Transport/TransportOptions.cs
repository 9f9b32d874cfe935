namespace Appliance.Daemon.Cluster.Transport;

public sealed record TransportOptions
{
    /// <summary>Largest payload accepted or sent after authentication.</summary>
    public int MaxFrameSize { get; init; } = FrameCodec.DefaultMaxPayload;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Covers the TLS handshake and the key proof together, when we dial and when a listed peer
    /// dials us. Generous: a peer's handshake never waits for a slot (<see cref="HandshakeSlots"/>),
    /// and one that times out on a starved machine (cold code, a full test suite on two cores)
    /// waits out the dialer's retry delay.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The same for a connection from an address that is not a listed peer: how long a stalled one
    /// holds a shared slot. Measured on loopback on a 2-core box at load average 20-47, a warm
    /// handshake takes 4-16 ms (median), at most 112 ms (p99) and 820 ms (worst of 1,200); a
    /// process's first one (cold code) 0.3-1.5 s. 3 s is twice the worst cold one; a peer not yet
    /// listed (joining) whose first handshake still times out is retried, warm.
    /// </summary>
    public TimeSpan UnlistedHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Connections from unlisted addresses still in TLS or key proof at once; more are closed on
    /// accept, so a flood of idle sockets cannot exhaust the listener. Listed peers do not count
    /// against it (<see cref="HandshakeSlots"/>).
    /// </summary>
    public int MaxPendingHandshakes { get; init; } = 16;

    /// <summary>
    /// Connections from one address still in TLS or key proof at once, listed peer or not. A peer
    /// needs one per dialer and one per recovery pull or cluster check; the rest is room for an
    /// attempt that is still timing out.
    /// </summary>
    public int MaxPendingHandshakesPerAddress { get; init; } = 4;

    public int ListenBacklog { get; init; } = 64;

    internal void Validate()
    {
        if (MaxFrameSize is < 1024 or > 1024 * 1024 * 1024)
            throw new ArgumentException($"MaxFrameSize {MaxFrameSize} is outside 1 KiB..1 GiB");
        if (ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"ConnectTimeout {ConnectTimeout} must be positive");
        if (HandshakeTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"HandshakeTimeout {HandshakeTimeout} must be positive");
        if (UnlistedHandshakeTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"UnlistedHandshakeTimeout {UnlistedHandshakeTimeout} must be positive");
        if (MaxPendingHandshakes < 1)
            throw new ArgumentException($"MaxPendingHandshakes {MaxPendingHandshakes} must be at least 1");
        if (MaxPendingHandshakesPerAddress < 1)
            throw new ArgumentException($"MaxPendingHandshakesPerAddress {MaxPendingHandshakesPerAddress} must be at least 1");
        if (ListenBacklog < 1)
            throw new ArgumentException($"ListenBacklog {ListenBacklog} must be at least 1");
    }
}
