namespace Appliance.Daemon.Cluster.Transport;

public sealed record TransportOptions
{
    /// <summary>Largest payload accepted or sent after authentication.</summary>
    public int MaxFrameSize { get; init; } = FrameCodec.DefaultMaxPayload;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Covers the TLS handshake and the key proof together.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connections still in TLS or key proof at once; more are closed on accept, so a flood of
    /// idle sockets cannot starve the peers.
    /// </summary>
    public int MaxPendingHandshakes { get; init; } = 16;

    public int ListenBacklog { get; init; } = 64;

    internal void Validate()
    {
        if (MaxFrameSize is < 1024 or > 1024 * 1024 * 1024)
            throw new ArgumentException($"MaxFrameSize {MaxFrameSize} is outside 1 KiB..1 GiB");
        if (ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"ConnectTimeout {ConnectTimeout} must be positive");
        if (HandshakeTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"HandshakeTimeout {HandshakeTimeout} must be positive");
        if (MaxPendingHandshakes < 1)
            throw new ArgumentException($"MaxPendingHandshakes {MaxPendingHandshakes} must be at least 1");
        if (ListenBacklog < 1)
            throw new ArgumentException($"ListenBacklog {ListenBacklog} must be at least 1");
    }
}
