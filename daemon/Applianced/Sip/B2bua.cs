using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Node;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

/// <summary>
/// The back-to-back user agent (CONFERENCING.md, "A call through the peer"): an INVITE on the trunk
/// is placed (<see cref="ConferencePlacer"/>, the path `conferences place` shows), then a second leg
/// goes to the chosen bridge's SIP address with the conference as its Request-URI user and the
/// caller's SDP unchanged; responses, ACK, BYE, CANCEL and re-INVITEs are relayed between the legs
/// (B2bua.LegB.cs, B2bua.Dialogs.cs). Media never passes this peer.
/// </summary>
public sealed partial class B2bua
{
    /// <summary>Seconds a refused caller is told to wait (Retry-After on 503): a bridge's watch notices a return within 10 s.</summary>
    public const int RetryAfterSeconds = 10;

    private readonly SipStack _stack;
    private readonly Func<IPAddress, string, ISipTransport?> _transportFor;
    private readonly ConferencePlacer _placer;
    private readonly Func<BridgeWatcher> _bridges;
    private readonly ConferenceRoster _roster;
    private readonly NodeLogs _logs;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Call> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Call Call, bool IsA)> _dialogs = new(StringComparer.Ordinal);

    internal B2bua(SipStack stack, Func<IPAddress, string, ISipTransport?> transportFor, ConferencePlacer placer, Func<BridgeWatcher> bridges,
        ConferenceRoster roster, NodeLogs logs, TimeProvider time)
    {
        _stack = stack;
        _transportFor = transportFor;
        _placer = placer;
        _bridges = bridges;
        _roster = roster;
        _logs = logs;
        _time = time;
        _stack.AckReceived += OnAck;
    }

    /// <summary>The calls this peer holds now (calls show).</summary>
    public IReadOnlyList<CallView> Calls =>
        [.. _calls.Values.Select(c => new CallView(c.Id, c.Alias, c.Conference, c.Bridge, c.State, c.Started)).OrderBy(c => c.Started)];

    /// <summary>Whether a call of this peer is in <paramref name="conference"/> in any state (the linger leaves such a conference alone).</summary>
    public bool Holds(string conference) => _calls.Values.Any(c => c.Conference == conference);

    internal async Task InviteAsync(SipServerTransaction t)
    {
        if (Check(t) is { } refusal)
        {
            await t.RespondAsync(refusal);
            return;
        }
        var alias = Uri.UnescapeDataString(t.Request.RequestUri.User ?? "");
        var call = new Call(t, alias, _time.GetUtcNow());
        _calls[Key(t.Request)] = call;
        t.Cancelled.Register(() => _ = OnCancelledAsync(call));
        t.AckTimedOut += () => _ = EndAsync(call, byeA: true, byeB: true);
        try
        {
            await PlaceAndCallAsync(call);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Forget(call);
            if (!t.HasFinalResponse) await RefuseAsync(t, 503, $"the call could not be placed: {e.Message}");
            throw;
        }
    }

    /// <summary>Placement (again, when leg B failed early: B2bua.Again.cs), then leg B to the bridge it chose, or the refusal to A.</summary>
    private async Task PlaceAndCallAsync(Call call)
    {
        var decision = await _placer.PlaceAsync(call.Alias, call.Placement, CancellationToken.None);
        if (decision.SipStatus != 0)
        {
            Forget(call);
            await RefuseAsync(call.Invite, decision.SipStatus, decision.Reason);
            return;
        }
        lock (call.Gate)
        {
            call.Placed = decision;
            call.Conference = decision.Conference;
            call.Bridge = decision.Bridge;
        }
        await StartLegBAsync(call);
    }

    /// <summary>Leg A's checks before placement: hops, extensions this peer must honour, a body it cannot pass on.</summary>
    private static SipResponse? Check(SipServerTransaction t)
    {
        var request = t.Request;
        if (request.Headers[SipHeaderNames.MaxForwards] is { } hops && int.TryParse(hops, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == 0)
            return t.CreateResponse(483);
        if (request.Headers.GetAll(SipHeaderNames.Require) is { Count: > 0 } required)
        {
            var response = t.CreateResponse(420);
            response.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", required));
            return response;
        }
        if (request.Body.Length > 0 && !IsSdp(request))
        {
            var response = t.CreateResponse(415);
            response.Headers.Add(SipHeaderNames.Accept, "application/sdp");
            return response;
        }
        return null;
    }

    private static bool IsSdp(SipMessage m) =>
        m.Headers[SipHeaderNames.ContentType]?.Split(';')[0].Trim().Equals("application/sdp", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>404 or 503 with the reason (RFC 3326), and Retry-After on 503 so the call processor tries its next peer now and this one later.</summary>
    private static async Task RefuseAsync(SipServerTransaction t, int code, string reason)
    {
        var response = WithReason(t.CreateResponse(code), code, reason);
        if (code == 503) response.Headers.Add(SipHeaderNames.RetryAfter, RetryAfterSeconds.ToString(CultureInfo.InvariantCulture));
        try { await t.RespondAsync(response); }
        catch (InvalidOperationException) { } // cancelled meanwhile: 487 went instead
    }

    private static string Key(SipRequest request) => $"{request.CallId}|{request.From.Tag}";

    private void Forget(Call call)
    {
        _calls.TryRemove(new KeyValuePair<string, Call>(Key(call.Invite.Request), call));
        if (call.A is { } a) _dialogs.TryRemove(a.Id, out _);
        if (call.B is { } b) _dialogs.TryRemove(b.Id, out _);
    }
}

/// <summary>One call as `calls show` lists it.</summary>
public sealed record CallView(string CallId, string Alias, string? Conference, string? Bridge, CallState State, DateTimeOffset Started);
