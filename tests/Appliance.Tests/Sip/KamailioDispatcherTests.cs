using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Sip;

/// <summary>
/// The real kamailio as the call processor: its dispatcher lists two real daemons' SIP addresses
/// and pings them with OPTIONS every second. Both are marked active; one daemon killed is marked
/// inactive while the other stays active.
/// </summary>
public sealed class KamailioDispatcherTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kamailio_marks_both_peers_active_by_options_and_a_killed_one_inactive()
    {
        Assert.True(File.Exists(KamailioProcess.Program) && File.Exists(KamailioProcess.Kamcmd), "kamailio is missing: build.sh installs kamailio");
        await using var one = await SipTrunkPeer.StartAsync();
        await using var two = await SipTrunkPeer.StartAsync();
        using var kamailio = new KamailioProcess(LoopbackAddresses.Next(), [one.Sip.ToString(), two.Sip.ToString()], KamailioProcess.PingOnly);
        try
        {
            await Eventually.WaitUntil(async () => await kamailio.IsActive(one.Sip.ToString()) && await kamailio.IsActive(two.Sip.ToString()),
                TimeSpan.FromSeconds(30), "kamailio marks both peers active (FLAGS A.)", kamailio.Describe);
            one.Daemon.Kill();
            await Eventually.WaitUntil(async () => (await kamailio.States())?.GetValueOrDefault(one.Sip.ToString()) is { } f && !f.StartsWith('A'),
                TimeSpan.FromSeconds(30), "kamailio marks the killed peer inactive", kamailio.Describe);
            Assert.True(await kamailio.IsActive(two.Sip.ToString()), await kamailio.Describe());
            output.WriteLine(await kamailio.Describe());
        }
        finally
        {
            output.WriteLine(kamailio.Log);
        }
    }
}
