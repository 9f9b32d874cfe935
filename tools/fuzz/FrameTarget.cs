using System.Net;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Fuzz;

/// <summary>
/// The cluster frame decoder (<see cref="FrameCodec.ReadAsync"/>) reading a byte stream to its end.
/// The first input byte picks the phase and limit the real callers use: even, the key proof's
/// (handshake frames, 64-byte payloads); odd, a session's (application frames, the default limit).
/// </summary>
internal sealed class FrameTarget : FuzzTarget
{
    private const int HandshakeMaxPayload = 64;

    public override string Name => "frame";

    public override string Description => "FrameCodec.ReadAsync over a stream of frames; refusal: ProtocolViolationException";

    public override string? Run(byte[] input)
    {
        var (mode, body) = Split(input);
        var (phase, max) = (mode & 1) == 0
            ? (FrameCodec.Phase.Handshake, HandshakeMaxPayload)
            : (FrameCodec.Phase.Application, FrameCodec.DefaultMaxPayload);
        using var stream = new MemoryStream(body, writable: false);
        try
        {
            while (FrameCodec.ReadAsync(stream, max, phase, CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } frame)
            {
                if (frame.Payload.Length > max)
                    throw new InvariantException($"{frame} is over the limit of {max}");
            }
        }
        catch (ProtocolViolationException e)
        {
            return e.Message;
        }
        return null;
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        yield return ("handshake", FuzzInput.WithMode(0, [
            .. FrameCodec.Encode(FrameType.ProofNonce, new byte[32]),
            .. FrameCodec.Encode(FrameType.Proof, new byte[32]),
            .. FrameCodec.Encode(FrameType.ProofAccepted, []),
        ]));
        yield return ("session", FuzzInput.WithMode(1, [
            .. FrameCodec.Encode(FrameType.Hello, FuzzInput.Utf8("{\"peerId\":\"p\"}")),
            .. FrameCodec.Encode(FrameType.Heartbeat, new byte[16]),
            .. FrameCodec.Encode(FrameType.OpBatch, new byte[40]),
            .. FrameCodec.Encode(FrameType.Goodbye, []),
        ]));
    }
}
