using Appliance.Daemon.Conferencing;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class B2bua
{
    /// <summary>Leg B INVITEs one call may send: its first, and a few more when bridges fail it before answering.</summary>
    private const int MaxLegBAttempts = 4;

    /// <summary>
    /// Leg B failed before the bridge sent any provisional, so the caller has heard nothing yet and the
    /// call can be placed again in the same INVITE (CONFERENCING.md, placement step 6):
    /// - a join whose bridge answered 404 found the conference destroyed at the end of its linger as it
    ///   came: the conference is created there anew and the call joins it;
    /// - a new conference whose bridge refused the INVITE (4xx-6xx) or never answered it (408) is given
    ///   up there (its failure reported to the bridge watcher, the empty conference destroyed) and the
    ///   call goes to the next usable bridge of the service preference.
    /// False when the failure is the call's to answer as it is.
    /// </summary>
    private async Task<bool> PlaceAgainAsync(Call call, SipResponse final)
    {
        PlacementDecision placed;
        lock (call.Gate)
        {
            if (call.State != CallState.Placing || call.CancelWanted || call.LegBAttempts >= MaxLegBAttempts || call.Placed is null) return false;
            placed = call.Placed;
        }
        if (final.StatusCode == 404 && placed.Outcome == PlacementOutcome.Join)
        {
            call.Placement.Gone = (placed.Conference, placed.Bridge);
        }
        else if (final.StatusCode >= 400 && placed.Outcome == PlacementOutcome.Create)
        {
            var what = (final.IsLocal, final.StatusCode) switch
            {
                (true, 408) => "did not answer",
                (true, _) => "could not be sent",
                _ => "refused",
            };
            var why = $"{what} the INVITE of new conference {placed.Conference} ({final.StatusCode} {final.ReasonPhrase})";
            await _placer.AbandonAsync(placed, why, call.Placement, name => _calls.Values.Any(c => c != call && c.Conference == name), CancellationToken.None);
            _logs.Event($"SIP: call {call.Id} to {call.Alias}: bridge {placed.Bridge} {why}; placing it again", "warning");
        }
        else
        {
            return false;
        }
        await PlaceAndCallAsync(call);
        return true;
    }
}
