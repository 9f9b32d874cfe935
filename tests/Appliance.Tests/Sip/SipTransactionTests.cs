using Appliance.Sip;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Sip;

/// <summary>
/// Client and server transactions over the in-memory pair on a fake clock, with messages dropped
/// to exercise retransmission: timers A, B, D, E, F, G, H, I, J, K as RFC 3261 17 counts them.
/// </summary>
public sealed class SipTransactionTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SipInMemoryTransport _a;
    private readonly SipInMemoryTransport _b;
    private readonly SipStack _client;
    private readonly SipStack _server;
    private int _handled;

    public SipTransactionTests() : this(reliable: false) { }

    private SipTransactionTests(bool reliable)
    {
        (_a, _b) = SipInMemoryTransport.CreatePair(reliable);
        _client = new SipStack(time: _time);
        _server = new SipStack(time: _time);
        _client.AddTransport(_a);
        _server.AddTransport(_b);
    }

    private SipClientTransaction Send(SipRequest request) => _client.SendRequest(request, _a, _b.LocalEndPoint);

    private void Answer(Func<SipServerTransaction, Task> handler) => _server.RequestReceived = async t =>
    {
        Interlocked.Increment(ref _handled);
        await handler(t);
    };

    /// <summary>Moves the fake clock in 50 ms steps, letting the pumps run between them.</summary>
    private async Task Pass(TimeSpan span)
    {
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromMilliseconds(50))
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }
    }

    [Fact]
    public async Task A_non_invite_without_answer_is_retransmitted_by_timer_E_and_times_out_by_F()
    {
        _a.Deliver = _ => false;
        var t = Send(SipTestKit.Request(SipMethods.Options));
        await Pass(TimeSpan.FromSeconds(32.2));
        var final = await SipTestKit.Within(t.Final, "the local 408");
        Assert.Equal(408, final.StatusCode);
        Assert.True(final.IsLocal);
        Assert.Contains("timer F", final.ReasonPhrase);
        // Sent at 0, 0.5, 1.5, 3.5, then every T2 (4 s): 7.5 ... 31.5 s.
        await SipTestKit.WaitUntil(() => _a.Sent == 11, $"11 transmissions (saw {_a.Sent})");
        await Pass(TimeSpan.FromSeconds(10));
        Assert.Equal(11, _a.Sent);
        Assert.Equal(0, _client.TransactionCount);
    }

    [Fact]
    public async Task An_invite_without_answer_is_retransmitted_by_timer_A_doubling_and_times_out_by_B()
    {
        _a.Deliver = _ => false;
        var t = Send(SipTestKit.Request(SipMethods.Invite));
        await Pass(TimeSpan.FromSeconds(32.2));
        var final = await SipTestKit.Within(t.Final, "the local 408");
        Assert.Contains("timer B", final.ReasonPhrase);
        // A doubles without a cap: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s.
        await SipTestKit.WaitUntil(() => _a.Sent == 7, $"7 transmissions (saw {_a.Sent})");
    }

    [Fact]
    public async Task Over_a_reliable_transport_nothing_is_retransmitted()
    {
        await using var reliable = new SipTransactionTests(reliable: true);
        reliable._a.Deliver = _ => false;
        var t = reliable.Send(SipTestKit.Request(SipMethods.Options));
        await reliable.Pass(TimeSpan.FromSeconds(32.2));
        Assert.Equal(408, (await SipTestKit.Within(t.Final, "the local 408")).StatusCode);
        Assert.Equal(1, reliable._a.Sent);
    }

    [Fact]
    public async Task A_retransmitted_non_invite_gets_the_same_answer_again_and_reaches_the_user_once()
    {
        Answer(t => t.RespondAsync(200));
        var droppedFirst = 0;
        _b.Deliver = wire => !(SipTestKit.Is(wire, status: 200) && Interlocked.Exchange(ref droppedFirst, 1) == 0);
        var t = Send(SipTestKit.Request(SipMethods.Options));
        await SipTestKit.WaitUntil(() => _b.Sent == 1, "the first 200 (dropped)");
        await Pass(TimeSpan.FromSeconds(0.6)); // E: the OPTIONS again; the server resends its 200
        Assert.Equal(200, (await SipTestKit.Within(t.Final, "the 200")).StatusCode);
        Assert.Equal(1, _handled);
        Assert.Equal(2, _b.Sent);
        Assert.Equal(SipServerState.Completed, Assert.Single(ServerTransactions()).State);
        await Pass(TimeSpan.FromSeconds(32.2)); // J; K ended the client's long ago
        await SipTestKit.WaitUntil(() => _server.TransactionCount == 0 && _client.TransactionCount == 0, "timers J and K end both transactions");
    }

    [Fact]
    public async Task A_non_2xx_final_of_an_invite_is_acked_by_the_client_transaction_and_retransmitted_until_the_ack()
    {
        // The 486 waits until the test listens for what the client's user hears (else it could come first).
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Answer(async t =>
        {
            await listening.Task;
            await t.RespondAsync(486);
        });
        var acks = 0;
        _a.Deliver = wire => !(SipTestKit.Is(wire, method: SipMethods.Ack) && Interlocked.Increment(ref acks) == 1);
        var t = Send(SipTestKit.Request(SipMethods.Invite));
        var finals = 0;
        t.ResponseReceived += r => { if (r.StatusCode == 486) Interlocked.Increment(ref finals); };
        listening.SetResult();
        Assert.Equal(486, (await SipTestKit.Within(t.Final, "the 486")).StatusCode);
        await SipTestKit.WaitUntil(() => acks == 1, "the first ACK (dropped)");
        var server = Assert.Single(ServerTransactions());
        Assert.Equal(SipServerState.Completed, server.State);
        await Pass(TimeSpan.FromSeconds(0.6)); // G: 486 again; the client, Completed, ACKs it again
        await SipTestKit.WaitUntil(() => server.State == SipServerState.Confirmed, "the server transaction confirmed by the second ACK");
        Assert.Equal(2, acks);
        Assert.Equal(1, finals);
        await Pass(TimeSpan.FromSeconds(5.1)); // I
        await SipTestKit.WaitUntil(() => _server.TransactionCount == 0, "timer I ends the server transaction");
        Assert.Equal(1, _client.TransactionCount);
        await Pass(TimeSpan.FromSeconds(27)); // D (32 s from the 486)
        await SipTestKit.WaitUntil(() => _client.TransactionCount == 0, "timer D ends the client transaction");
    }

    [Fact]
    public async Task Without_an_ack_the_server_retransmits_a_non_2xx_by_timer_G_until_H()
    {
        Answer(t => t.RespondAsync(480));
        _a.Deliver = wire => !SipTestKit.Is(wire, method: SipMethods.Ack);
        var t = Send(SipTestKit.Request(SipMethods.Invite));
        await SipTestKit.Within(t.Final, "the 480");
        await Pass(TimeSpan.FromSeconds(32.2));
        await SipTestKit.WaitUntil(() => _server.TransactionCount == 0, "timer H ends the server transaction");
        // 100 Trying, then the 480 at 0, 0.5, 1.5, 3.5 and every T2 to 31.5 s.
        Assert.Equal(12, _b.Sent);
    }

    [Fact]
    public async Task A_2xx_is_retransmitted_until_its_ack_which_the_server_user_hears()
    {
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Answer(async t =>
        {
            await listening.Task; // until the test hears what the client's user hears
            var ok = t.CreateResponse(200);
            ok.Headers.Add(SipHeaderNames.Contact, "<sip:uas@192.0.2.2>");
            await t.RespondAsync(ok);
        });
        var acked = new TaskCompletionSource<SipRequest>();
        _server.AckReceived += (ack, _) => acked.TrySetResult(ack);
        var request = SipTestKit.Request(SipMethods.Invite);
        var t = Send(request);
        var oks = 0;
        t.ResponseReceived += r => { if (r.IsSuccess) Interlocked.Increment(ref oks); };
        listening.SetResult();
        var ok = await SipTestKit.Within(t.Final, "the 200");
        await Pass(TimeSpan.FromSeconds(0.6));
        await SipTestKit.WaitUntil(() => oks == 2, "the 200 retransmitted and handed to the client's user again");
        var dialog = SipDialog.AsUac(request, ok);
        await _client.SendAckAsync(dialog.CreateRequest(SipMethods.Ack, request.CSeq.Number), _a, _b.LocalEndPoint);
        var ack = await SipTestKit.Within(acked.Task, "the ACK at the server");
        Assert.Equal(ok.To.Tag, ack.To.Tag);
        var sent = _b.Sent;
        await Pass(TimeSpan.FromSeconds(8));
        Assert.Equal(sent, _b.Sent);
    }

    [Fact]
    public async Task A_cancel_is_answered_200_and_ends_the_invite_with_487()
    {
        var cancelled = new TaskCompletionSource();
        Answer(async t =>
        {
            await Task.Delay(Timeout.Infinite, t.Cancelled).ContinueWith(_ => { });
            cancelled.SetResult();
        });
        var invite = Send(SipTestKit.Request(SipMethods.Invite));
        // The 100 may come before any listener could be added: its mark is the client transaction's state.
        await SipTestKit.WaitUntil(() => invite.State == SipClientState.Proceeding, "100 Trying");
        var cancel = Send(invite.CreateCancel());
        Assert.Equal(200, (await SipTestKit.Within(cancel.Final, "the CANCEL's 200")).StatusCode);
        Assert.Equal(487, (await SipTestKit.Within(invite.Final, "the INVITE's 487")).StatusCode);
        await SipTestKit.Within(cancelled.Task.ContinueWith(_ => 0), "the server user told of the CANCEL");
    }

    [Fact]
    public async Task An_invite_given_up_after_its_provisional_ends_with_a_local_408_and_a_late_final_finds_no_transaction()
    {
        var answered = new TaskCompletionSource<SipServerTransaction>();
        Answer(t =>
        {
            answered.SetResult(t);
            return Task.CompletedTask;
        });
        var invite = Send(SipTestKit.Request(SipMethods.Invite));
        await SipTestKit.WaitUntil(() => invite.State == SipClientState.Proceeding, "100 Trying");
        var seen = 0;
        invite.ResponseReceived += _ => Interlocked.Increment(ref seen);
        Assert.True(invite.Abandon("no final answer within 32 s of its 100 Trying"));
        var final = await SipTestKit.Within(invite.Final, "the local final");
        Assert.Equal((408, true, "no final answer within 32 s of its 100 Trying"), (final.StatusCode, final.IsLocal, final.ReasonPhrase));
        Assert.Equal(SipClientState.Terminated, invite.State);
        Assert.False(invite.Abandon("again"));

        await (await SipTestKit.Within(answered.Task, "the server transaction")).RespondAsync(200);
        await Pass(TimeSpan.FromSeconds(1));
        Assert.Equal(0, seen);
    }

    [Fact]
    public async Task A_cancel_for_no_transaction_gets_481()
    {
        var cancel = SipTestKit.Request(SipMethods.Cancel);
        Assert.Equal(481, (await SipTestKit.Within(Send(cancel).Final, "the 481")).StatusCode);
    }

    private IReadOnlyCollection<SipServerTransaction> ServerTransactions() => _server.ServerTransactions;

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }
}
