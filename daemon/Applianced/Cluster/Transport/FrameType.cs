namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// The one-byte frame types. The handshake types (0x01-0x0F) are only valid before the key
/// proof completes; everything else only after it, so an unauthenticated peer can never reach
/// replication code and an authenticated one cannot restart the proof mid-stream.
/// </summary>
public static class FrameType
{
    // Key proof (handled by the transport itself; replication never sees these).
    public const byte ProofNonce = 0x01;
    public const byte Proof = 0x02;
    public const byte ProofAccepted = 0x03;
    public const byte ProofRejected = 0x04;
    /// <summary>A refusal before any proof; one payload byte says why (<see cref="KeyProof"/>).</summary>
    public const byte ProofRefused = 0x05;

    // Session setup.
    public const byte Hello = 0x10;
    public const byte HelloReply = 0x11;
    public const byte HelloReject = 0x12;

    // Liveness: RTT and clock offset.
    public const byte Heartbeat = 0x20;
    public const byte HeartbeatAck = 0x21;

    // 4372 live stream.
    public const byte OpBatch = 0x30;
    public const byte Ack = 0x31;

    // 4371 recovery: digests, then only the records that differ.
    public const byte CatchUpRequest = 0x40;
    public const byte DigestRequest = 0x41;
    public const byte DigestReply = 0x42;
    public const byte RecordsRequest = 0x43;
    public const byte RecordsReply = 0x44;
    public const byte CatchUpDone = 0x45;

    public const byte Error = 0x7E;
    public const byte Goodbye = 0x7F;

    public static bool IsHandshake(byte type) => type is >= ProofNonce and <= ProofRefused;

    public static bool IsApplication(byte type) => type is
        Hello or HelloReply or HelloReject or
        Heartbeat or HeartbeatAck or
        OpBatch or Ack or
        CatchUpRequest or DigestRequest or DigestReply or RecordsRequest or RecordsReply or CatchUpDone or
        Error or Goodbye;

    public static bool IsKnown(byte type) => IsHandshake(type) || IsApplication(type);

    /// <summary>Name for log lines and errors, e.g. "OpBatch (0x30)" or "unknown (0x9A)".</summary>
    public static string Describe(byte type) => $"{Name(type)} (0x{type:X2})";

    private static string Name(byte type) => type switch
    {
        ProofNonce => nameof(ProofNonce),
        Proof => nameof(Proof),
        ProofAccepted => nameof(ProofAccepted),
        ProofRejected => nameof(ProofRejected),
        ProofRefused => nameof(ProofRefused),
        Hello => nameof(Hello),
        HelloReply => nameof(HelloReply),
        HelloReject => nameof(HelloReject),
        Heartbeat => nameof(Heartbeat),
        HeartbeatAck => nameof(HeartbeatAck),
        OpBatch => nameof(OpBatch),
        Ack => nameof(Ack),
        CatchUpRequest => nameof(CatchUpRequest),
        DigestRequest => nameof(DigestRequest),
        DigestReply => nameof(DigestReply),
        RecordsRequest => nameof(RecordsRequest),
        RecordsReply => nameof(RecordsReply),
        CatchUpDone => nameof(CatchUpDone),
        Error => nameof(Error),
        Goodbye => nameof(Goodbye),
        _ => "unknown",
    };
}
