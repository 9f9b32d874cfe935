namespace Appliance.Daemon.Config;

/// <summary>
/// What a peer sees of a bridge over its API (the bridge-status section's "state"). Only
/// <see cref="Usable"/> takes new conferences; <see cref="Overloaded"/> answers but has no free port.
/// </summary>
public static class BridgeStates
{
    /// <summary>Not asked yet since this peer started or the bridge's settings changed.</summary>
    public const string Probing = "probing";
    public const string Usable = "usable";
    /// <summary>No connection, or no answer in time.</summary>
    public const string Unreachable = "unreachable";
    /// <summary>Answered, but not as a bridge this peer can use: TLS refused, an HTTP error, a fault, a reply that is not XML-RPC.</summary>
    public const string Refused = "refused";
    /// <summary>The bridge refused the configured user and password.</summary>
    public const string AuthFailed = "auth-failed";
    /// <summary>Every port is in use (or the bridge says it is busy).</summary>
    public const string Overloaded = "overloaded";

    public static readonly string[] All = [Probing, Usable, Unreachable, Refused, AuthFailed, Overloaded];
}
