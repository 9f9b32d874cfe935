namespace Appliance.Sip;

/// <summary>
/// RFC 3261's timer base (17.1.1.1, table 4) and the timers derived from it. Tests shrink T1 so a
/// whole timeout runs in well under a second; every timer scales with it.
/// </summary>
public sealed record SipTimers(TimeSpan T1, TimeSpan T2, TimeSpan T4)
{
    /// <summary>T1 500 ms (round-trip estimate), T2 4 s (cap on non-INVITE retransmission), T4 5 s (a message's life in the network).</summary>
    public static SipTimers Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));

    /// <summary>Transaction timeout: B (client INVITE), F (client non-INVITE), H (server waits for ACK); 32 s by default.</summary>
    public TimeSpan Timeout => T1 * 64;

    /// <summary>D: a client INVITE absorbs retransmitted final responses for at least 32 s (= 64*T1 by default).</summary>
    public TimeSpan D => T1 * 64;

    /// <summary>J: a server non-INVITE answers retransmitted requests for 64*T1.</summary>
    public TimeSpan J => T1 * 64;

    /// <summary>I (server INVITE, after ACK) and K (client non-INVITE, after the final): T4.</summary>
    public TimeSpan I => T4;

    public TimeSpan K => T4;

    /// <summary>The next retransmission interval: doubled, capped at T2 where the RFC caps it (E, G; A is not capped).</summary>
    public TimeSpan Next(TimeSpan interval, bool capped) => capped && interval * 2 > T2 ? T2 : interval * 2;
}
