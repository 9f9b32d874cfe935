using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class SipTrunk
{
    /// <summary>What this peer's trunk serves; the OPTIONS answer and every 405/501 list it (RFC 3261 11.2, 20.5).</summary>
    public const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS";

    private const string ServerName = "appliance-b2bua";

    /// <summary>
    /// A new request from the call processor. OPTIONS is the keep-alive its dispatcher sends: 200 with
    /// what this peer accepts. An INVITE is a call for the B2BUA (<see cref="Calls"/>; 480 while it is
    /// not enabled), a request inside a dialog goes to the call that has it (481 when none), a known
    /// method this peer does not serve gets 405, an unknown one 501.
    /// </summary>
    private async Task HandleAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        SipResponse response;
        if (Holding?.Invoke() is { } holding && request.To.Tag is null && request.Method is SipMethods.Options or SipMethods.Invite)
        {
            // The dispatcher's keep-alive fails too, so the call processor sends calls to another peer meanwhile.
            response = transaction.CreateResponse(503);
            response.Headers.Add(SipHeaderNames.Reason, $"SIP;cause=503;text=\"{holding}\"");
            response.Headers.Add(SipHeaderNames.RetryAfter, "5");
            response.Headers.Add(SipHeaderNames.Server, ServerName);
            await transaction.RespondAsync(response);
            return;
        }
        if (Calls is { } calls && SipMethods.Known.Contains(request.Method) && request.Method != SipMethods.Cancel
            && (request.To.Tag is not null || request.Method == SipMethods.Invite))
        {
            if (request.To.Tag is null) await calls.InviteAsync(transaction);
            else await calls.InDialogAsync(transaction);
            return;
        }
        if (!SipMethods.Known.Contains(request.Method))
            response = WithAllow(transaction.CreateResponse(501));
        else if (request.To.Tag is not null || request.Method == SipMethods.Bye)
            response = transaction.CreateResponse(481);
        else
        {
            switch (request.Method)
            {
                case SipMethods.Options:
                    response = WithAllow(transaction.CreateResponse(200));
                    response.Headers.Add(SipHeaderNames.Accept, "application/sdp");
                    response.Headers.Add("Accept-Encoding", "identity");
                    response.Headers.Add("Accept-Language", "en");
                    response.Headers.Add(SipHeaderNames.Supported, "");
                    break;
                case SipMethods.Invite:
                    response = transaction.CreateResponse(480);
                    response.Headers.Add(SipHeaderNames.Reason, "SIP;cause=480;text=\"conference placement is not available on this peer\"");
                    break;
                default:
                    response = WithAllow(transaction.CreateResponse(405));
                    break;
            }
        }
        response.Headers.Add(SipHeaderNames.Server, ServerName);
        await transaction.RespondAsync(response);
    }

    private static SipResponse WithAllow(SipResponse response)
    {
        response.Headers.Add(SipHeaderNames.Allow, Allow);
        return response;
    }
}
