using Appliance.Daemon.Config;

namespace Appliance.Daemon.Bridges;

/// <summary>
/// A bridge call that did not succeed, already sorted into what it means for the bridge
/// (<see cref="State"/>, one of <see cref="BridgeStates"/>: unreachable, refused, auth-failed,
/// overloaded) with a reason in words. <see cref="FaultCode"/> is set when the bridge answered with
/// a fault (e.g. <see cref="BridgeFaults.NoSuchConference"/>), so callers can act on the code.
/// </summary>
public sealed class BridgeCallException(string state, string reason, int? faultCode = null, Exception? inner = null)
    : Exception(reason, inner)
{
    public string State { get; } = state;
    public string Reason { get; } = reason;
    public int? FaultCode { get; } = faultCode;
}
