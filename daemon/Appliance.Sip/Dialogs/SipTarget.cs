using System.Net;

namespace Appliance.Sip;

/// <summary>Where an in-dialog request goes: its remote target when that names an IP address, else where the dialog's messages came from.</summary>
public static class SipTarget
{
    /// <summary>
    /// <paramref name="uri"/>'s address and port (5060, 5061 for sips) over <paramref name="via"/>'s
    /// transport; a host name (no resolver here: peers of a trunk are addressed by IP) falls back to
    /// <paramref name="via"/>'s remote end.
    /// </summary>
    public static SipEndPoint Resolve(SipUri uri, SipEndPoint via) =>
        IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
            ? new SipEndPoint(via.Transport, new IPEndPoint(ip, uri.Port ?? (uri.Secure ? 5061 : 5060)))
            : via;

    /// <summary>"sip:user@host:port;transport=tcp" for a Contact of this side on <paramref name="transport"/>.</summary>
    public static SipUri Contact(string user, ISipTransport transport)
    {
        var local = transport.LocalEndPoint;
        var uri = new SipUri(SipStack.Host(local.Address), local.Port, user);
        if (transport.Protocol != "UDP") uri.Parameters["transport"] = transport.Protocol.ToLowerInvariant();
        return uri;
    }
}
