using System.Globalization;
using System.Net;

namespace Appliance.Sip;

public sealed partial class SipStack
{
    private void OnReceived(ISipTransport transport, ReadOnlyMemory<byte> bytes, IPEndPoint remote)
    {
        if (SipParser.IsKeepAlive(bytes.Span)) return;
        SipMessage message;
        try
        {
            message = SipParser.Parse(bytes.Span, Limits, transport.IsReliable);
        }
        catch (SipParseException e)
        {
            Report($"dropped a message from {transport.Protocol} {remote}: {e.Message}");
            return;
        }
        var from = new SipEndPoint(transport, remote);
        try
        {
            if (message is SipResponse response) OnResponse(response, from);
            else OnRequest((SipRequest)message, from);
        }
        catch (SipParseException e)
        {
            Report($"dropped a message from {from}: {e.Message}");
        }
    }

    private void OnResponse(SipResponse response, SipEndPoint from)
    {
        var via = response.TopVia;
        if (via.Branch is { } branch && _clients.TryGetValue(ClientKey(branch, response.CSeq.Method), out var transaction))
            transaction.OnResponse(response);
        else
            UnmatchedResponse?.Invoke(response, from);
    }

    private void OnRequest(SipRequest request, SipEndPoint from)
    {
        StampVia(request, from.Remote);
        var key = ServerKey(request, request.Method == SipMethods.Ack ? SipMethods.Invite : request.Method);
        if (_servers.TryGetValue(key, out var existing))
        {
            if (request.Method != SipMethods.Ack) existing.OnRetransmission();
            else if (existing.State != SipServerState.Accepted) existing.OnAck();
            else
            {
                // An ACK of our 2xx that reuses the INVITE's branch (older user agents): still the dialog's.
                existing.On2xxAck();
                AckReceived?.Invoke(request, from);
            }
            return;
        }
        if (request.Method == SipMethods.Ack)
        {
            if (_accepted.TryGetValue(AckKey(request.CallId, request.CSeq.Number, request.From.Tag), out var invite)) invite.On2xxAck();
            AckReceived?.Invoke(request, from);
            return;
        }
        var transaction = new SipServerTransaction(this, request, ResponseTarget(request, from), key);
        if (!_servers.TryAdd(key, transaction))
        {
            _servers[key].OnRetransmission(); // the same request twice at once
            return;
        }
        if (request.Method == SipMethods.Cancel)
        {
            _ = OnCancelAsync(transaction);
            return;
        }
        // 100 Trying at once: the user may take longer than 200 ms (17.2.1) and it stops A.
        if (transaction.IsInvite) _ = transaction.RespondAsync(SipBuild.Response(request, 100));
        _ = Task.Run(() => DispatchAsync(transaction));
    }

    private async Task DispatchAsync(SipServerTransaction transaction)
    {
        try
        {
            if (RequestReceived is { } handler) await handler(transaction).ConfigureAwait(false);
            if (!transaction.HasFinalResponse && (RequestReceived is null || !transaction.IsInvite))
                await transaction.RespondAsync(RequestReceived is null ? 501 : 500).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (transaction.HasFinalResponse)
        {
            // Answered meanwhile, e.g. 487 after a CANCEL: the user's late answer has no one to go to.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Report($"{transaction.Request.Method} {transaction.Request.CallId}: the handler failed: {e.Message}");
            if (!transaction.HasFinalResponse)
            {
                try { await transaction.RespondAsync(500).ConfigureAwait(false); }
                catch (InvalidOperationException) { }
            }
        }
    }

    /// <summary>CANCEL (9.2): 200 and the INVITE ended with 487 when its transaction is here, 481 otherwise.</summary>
    private async Task OnCancelAsync(SipServerTransaction cancel)
    {
        var inviteKey = ServerKey(cancel.Request, SipMethods.Invite);
        if (_servers.TryGetValue(inviteKey, out var invite))
        {
            await cancel.RespondAsync(200).ConfigureAwait(false);
            await invite.OnCancelAsync().ConfigureAwait(false);
        }
        else
            await cancel.RespondAsync(481).ConfigureAwait(false);
    }

    /// <summary>
    /// The top Via as this side saw it (18.2.1, RFC 3581): received= when the sender's address is not
    /// the one it wrote, rport= filled in when it asked for it.
    /// </summary>
    private static void StampVia(SipRequest request, IPEndPoint source)
    {
        var via = request.TopVia;
        var changed = false;
        if (via.Host.Trim('[', ']') != source.Address.ToString())
        {
            via.Parameters["received"] = source.Address.ToString();
            changed = true;
        }
        if (via.Parameters.Contains("rport") && via.Parameters["rport"] is null)
        {
            via.Parameters["rport"] = source.Port.ToString(CultureInfo.InvariantCulture);
            changed = true;
        }
        if (!changed) return;
        request.Headers.RemoveFirstValue(SipHeaderNames.Via);
        request.Headers.Prepend(SipHeaderNames.Via, via.ToString());
    }

    /// <summary>18.2.2: the same connection for streams; over UDP the source address, at rport or the Via's port (5060 when none).</summary>
    private static SipEndPoint ResponseTarget(SipRequest request, SipEndPoint from)
    {
        if (from.Transport.IsReliable) return from;
        var via = request.TopVia;
        var port = via.Parameters.Contains("rport") ? from.Remote.Port : via.Port ?? 5060;
        return new SipEndPoint(from.Transport, new IPEndPoint(from.Remote.Address, port));
    }

    private static string ClientKey(string branch, string method) => $"{branch}|{method}";

    /// <summary>17.2.3: branch, sent-by and method; for pre-RFC 3261 branches, the dialog and CSeq stand in.</summary>
    private static string ServerKey(SipRequest request, string method)
    {
        var via = request.TopVia;
        if (via.Branch is { } b && b.StartsWith(SipVia.MagicCookie, StringComparison.Ordinal))
            return $"{b}|{via.SentBy.ToLowerInvariant()}|{method}";
        return $"2543|{request.CallId}|{request.CSeq.Number}|{request.From.Tag}|{via.SentBy}|{method}";
    }

    private static string AckKey(string callId, int cseq, string? fromTag) => $"{callId}|{cseq}|{fromTag}";
}
