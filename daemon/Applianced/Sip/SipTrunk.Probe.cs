using System.Globalization;
using System.Net;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Config;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class SipTrunk
{
    /// <summary>
    /// Asks a bridge's SIP side whether it answers, over the transport leg B would use: OPTIONS
    /// sip:ADDRESS:PORT from one of this peer's listeners of that transport (the first by address; a
    /// peer with several rendezvous addresses asks from that one, while leg B leaves from the one its
    /// call came in on). Each probe is a transaction of its own: one that gets no answer retransmits
    /// until timer F (32 s) after the probe has given up on it.
    /// Null when it answered (any final response of its own: a 404 or 405 still shows a live SIP
    /// side), else why not (no answer in <paramref name="timeout"/>, a 503, the transport failed).
    /// Null too when no listener can send it (no rendezvous address, or TLS without a certificate):
    /// leg B cannot leave then either, and says so per call, so the API alone speaks for the bridge.
    /// </summary>
    public async Task<string?> ProbeBridgeAsync(BridgeEndpoint bridge, TimeSpan timeout, CancellationToken ct)
    {
        if (bridge.SipProtocol is not { } protocol || !IPAddress.TryParse(bridge.Address, out var address) || FirstListener(protocol) is not { } transport)
            return null;
        var remote = new IPEndPoint(address, bridge.SipPort);
        var uri = new SipUri(bridge.Address, bridge.SipPort);
        if (protocol != "UDP") uri.Parameters["transport"] = protocol.ToLowerInvariant();
        var local = transport.LocalEndPoint.Address;
        var options = SipBuild.Request(SipMethods.Options, uri, new SipNameAddress(new SipUri(SipStack.Host(local), null, "appliance")),
            new SipNameAddress(new SipUri(bridge.Address)), SipIds.NewCallId(local.ToString()), 1);
        options.Headers.Add(SipHeaderNames.Accept, "application/sdp");
        var where = $"its SIP side ({remote} over {protocol})";
        SipResponse answer;
        try
        {
            answer = await Stack.SendRequest(options, transport, remote).Final.WaitAsync(timeout, _time, ct);
        }
        catch (TimeoutException)
        {
            return $"{where} did not answer OPTIONS within {timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
        }
        return answer switch
        {
            { IsLocal: true } => $"{where} cannot be reached: {answer.StatusCode} {TextRules.Escape(answer.ReasonPhrase)}",
            { StatusCode: 503 } => $"{where} answered OPTIONS 503 {TextRules.Escape(answer.ReasonPhrase)}",
            _ => null,
        };
    }

    /// <summary>The listener of <paramref name="protocol"/> whose address sorts first as text, so every probe leaves from the same one.</summary>
    private ISipTransport? FirstListener(string protocol)
    {
        lock (_listeners)
        {
            if (protocol == "TLS") return _tls.OrderBy(l => l.Key.ToString(), StringComparer.Ordinal).Select(l => l.Value).FirstOrDefault();
            return _listeners.OrderBy(l => l.Key.ToString(), StringComparer.Ordinal)
                .Select(l => protocol == "TCP" ? l.Value.Tcp : l.Value.Udp).FirstOrDefault();
        }
    }
}
