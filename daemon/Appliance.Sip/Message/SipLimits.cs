namespace Appliance.Sip;

/// <summary>
/// Bounds on what the parser accepts from the network, so a hostile peer cannot make it allocate or
/// loop without end. The defaults fit any real call signalling: a UDP datagram cannot exceed 65,507
/// bytes, and INVITEs with large SDP stay far below.
/// </summary>
public sealed record SipLimits
{
    public static SipLimits Default { get; } = new();

    /// <summary>The whole message: start line, headers and body.</summary>
    public int MaxMessageBytes { get; init; } = 65_535;

    /// <summary>Header fields (a folded field counts once; a comma list counts once).</summary>
    public int MaxHeaders { get; init; } = 128;

    /// <summary>One line of the start line or the headers, folding continuations included.</summary>
    public int MaxLineBytes { get; init; } = 8192;
}
