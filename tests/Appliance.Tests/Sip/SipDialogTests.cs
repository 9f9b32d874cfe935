using System.Text;
using Appliance.Sip;

namespace Appliance.Tests.Sip;

/// <summary>Dialogs (RFC 3261 12): both sides' view, route sets, in-dialog requests and request order.</summary>
public sealed class SipDialogTests
{
    private static SipRequest Invite()
    {
        var request = (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(SipParserTests.Invite));
        return request;
    }

    private static SipResponse Answer(SipRequest invite, int status, string tag = "uas1")
    {
        var response = SipBuild.Response(invite, status, toTag: tag);
        response.Headers.Add(SipHeaderNames.Contact, "<sip:bridge@198.18.2.10:5070>");
        return response;
    }

    [Fact]
    public void Both_sides_see_the_same_dialog_with_the_route_set_in_their_own_order()
    {
        var invite = Invite();
        var ok = Answer(invite, 200);
        var uas = SipDialog.AsUas(invite, ok);
        var uac = SipDialog.AsUac(invite, ok);
        Assert.Equal((uas.LocalTag, uas.RemoteTag), (uac.RemoteTag, uac.LocalTag));
        Assert.Equal(SipDialogState.Confirmed, uas.State);
        Assert.Equal(["sip:198.18.0.5;lr", "sip:198.18.0.6;lr"], uas.RouteSet.Select(r => r.Uri.ToString()));
        Assert.Equal(["sip:198.18.0.6;lr", "sip:198.18.0.5;lr"], uac.RouteSet.Select(r => r.Uri.ToString()));
        Assert.Equal("sip:alice@198.18.9.1;transport=tcp", uas.RemoteTarget.ToString());
        Assert.Equal("sip:bridge@198.18.2.10:5070", uac.RemoteTarget.ToString());
        Assert.Equal(2, uas.RemoteSequence);
    }

    [Fact]
    public void An_in_dialog_request_carries_the_tags_the_next_cseq_and_the_route_set_loose_routed()
    {
        var invite = Invite();
        var uac = SipDialog.AsUac(invite, Answer(invite, 200));
        var bye = uac.CreateRequest(SipMethods.Bye);
        Assert.Equal("sip:bridge@198.18.2.10:5070", bye.RequestUri.ToString());
        Assert.Equal(new SipCSeq(3, "BYE"), bye.CSeq);
        Assert.Equal("9fxced76sl", bye.From.Tag);
        Assert.Equal("uas1", bye.To.Tag);
        Assert.Equal(invite.CallId, bye.CallId);
        Assert.Equal(["sip:198.18.0.6;lr", "sip:198.18.0.5;lr"], bye.Routes.Select(r => r.Uri.ToString()));
        Assert.Equal(new SipCSeq(2, "ACK"), uac.CreateRequest(SipMethods.Ack, invite.CSeq.Number).CSeq);
        Assert.Equal(4, uac.CreateRequest(SipMethods.Invite).CSeq.Number);
        // With the Via the stack adds, it parses as what it is.
        bye.Headers.Prepend(SipHeaderNames.Via, new SipVia("UDP", "198.18.9.1", 5060, SipIds.NewBranch()).ToString());
        Assert.IsType<SipRequest>(SipParser.Parse(bye.ToBytes()));
    }

    [Fact]
    public void A_strict_router_first_in_the_route_set_becomes_the_request_uri()
    {
        var invite = Invite();
        var ok = Answer(invite, 200);
        ok.Headers.Set(SipHeaderNames.RecordRoute, "<sip:198.18.0.9>");
        var bye = SipDialog.AsUac(invite, ok).CreateRequest(SipMethods.Bye);
        Assert.Equal("sip:198.18.0.9", bye.RequestUri.ToString());
        Assert.Equal(["sip:bridge@198.18.2.10:5070"], bye.Routes.Select(r => r.Uri.ToString()));
    }

    [Fact]
    public void An_early_dialog_is_confirmed_by_the_2xx_and_takes_its_route_set()
    {
        var invite = Invite();
        var ringing = Answer(invite, 180);
        var uac = SipDialog.AsUac(invite, ringing);
        Assert.Equal(SipDialogState.Early, uac.State);
        var ok = Answer(invite, 200);
        ok.Headers.Set(SipHeaderNames.RecordRoute, "<sip:198.18.0.7;lr>");
        ok.Headers.Set(SipHeaderNames.Contact, "<sip:bridge@198.18.2.11>");
        uac.Update(ok);
        Assert.Equal(SipDialogState.Confirmed, uac.State);
        Assert.Equal("sip:198.18.0.7;lr", Assert.Single(uac.RouteSet).Uri.ToString());
        Assert.Equal("sip:bridge@198.18.2.11", uac.RemoteTarget.ToString());
    }

    [Fact]
    public void Requests_from_the_peer_must_come_in_cseq_order_and_a_reinvite_moves_the_target()
    {
        var invite = Invite();
        var uas = SipDialog.AsUas(invite, Answer(invite, 200));
        var reinvite = new SipDialogPeer(invite).Request(SipMethods.Invite, 3, "<sip:alice@198.18.9.7>");
        Assert.True(uas.AcceptRemote(reinvite));
        Assert.Equal("sip:alice@198.18.9.7", uas.RemoteTarget.ToString());
        Assert.False(uas.AcceptRemote(new SipDialogPeer(invite).Request(SipMethods.Info, 3)));
        Assert.True(uas.AcceptRemote(new SipDialogPeer(invite).Request(SipMethods.Ack, 3)));
        Assert.True(uas.AcceptRemote(new SipDialogPeer(invite).Request(SipMethods.Bye, 4)));
        Assert.Equal(SipDialogState.Terminated, uas.State);
        Assert.Throws<InvalidOperationException>(() => uas.CreateRequest(SipMethods.Bye));
    }

    [Fact]
    public void A_response_without_a_to_tag_makes_no_dialog()
    {
        var invite = Invite();
        var trying = SipBuild.Response(invite, 100);
        Assert.Throws<ArgumentException>(() => SipDialog.AsUac(invite, trying));
    }

    /// <summary>The caller's side sending in-dialog requests with chosen CSeq numbers.</summary>
    private sealed class SipDialogPeer(SipRequest invite)
    {
        public SipRequest Request(string method, int cseq, string? contact = null)
        {
            var r = new SipRequest(method, invite.RequestUri);
            r.Headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP 198.18.9.1;branch=" + SipIds.NewBranch());
            r.Headers.Add(SipHeaderNames.From, invite.Headers[SipHeaderNames.From]!);
            r.Headers.Add(SipHeaderNames.To, invite.Headers[SipHeaderNames.To]! + ";tag=uas1");
            r.Headers.Add(SipHeaderNames.CallId, invite.CallId);
            r.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(cseq, method).ToString());
            if (contact is not null) r.Headers.Add(SipHeaderNames.Contact, contact);
            return r;
        }
    }
}
