using System.Globalization;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// Changes decided from what they read, sent at the same moment on separate connections to one
/// daemon: each is checked against the other (a tracked read-modify-write, Store.Reads.cs), so
/// neither undoes the other's field and two items never both take what only one may have.
/// </summary>
public class ConcurrentChangeTests
{
    private const int Rounds = 40;

    [Fact(Timeout = 240_000)]
    public async Task Two_clients_setting_different_fields_of_one_item_at_once_never_undo_each_other()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        await d.Daemon.Add("locations", "hall");
        var lost = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var type = round % 2 == 0 ? "adhoc" : "both";
            await Task.WhenAll(
                Task.Run(() => d.Daemon.Set("locations.hall.description", $"round {round}")),
                Task.Run(() => d.Daemon.Set("locations.hall.conferenceType", type)));
            var hall = (await d.Daemon.Items("locations"))["hall"];
            if ((string?)hall["description"] != $"round {round}" || (string?)hall["conferenceType"] != type)
                lost.Add($"round {round}: {hall.ToJsonString()}");
        }
        Assert.True(lost.Count == 0, $"{lost.Count} of {Rounds} rounds lost a change:\n{string.Join("\n", lost)}");
    }

    [Fact(Timeout = 240_000)]
    public async Task Two_clients_giving_one_address_to_two_locations_at_once_never_both_succeed()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        var both = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var address = $"198.18.7.{round + 1}";
            await d.Daemon.Add("locations", $"east-{round}");
            await d.Daemon.Add("locations", $"west-{round}");
            var answers = await Task.WhenAll(
                Task.Run(() => Outcome(d.Daemon.Add("location-addresses", $"east-{round}", ("rendezvous", address)))),
                Task.Run(() => Outcome(d.Daemon.Add("location-addresses", $"west-{round}", ("rendezvous", address)))));
            Assert.Contains("validation", answers); // at least one refused: one address serves one location (R7)
            if (!answers.Contains("validation")) both.Add(round.ToString(CultureInfo.InvariantCulture));
            var holders = (await d.Daemon.Items("location-addresses")).Values.Count(i => (string?)i["rendezvous"] == address);
            if (holders != 1) both.Add($"round {round}: {holders} locations hold {address}");
        }
        Assert.True(both.Count == 0, string.Join("\n", both));
    }

    private static async Task<string> Outcome(Task call)
    {
        try
        {
            await call;
            return "ok";
        }
        catch (DaemonApiException e)
        {
            return e.Kind;
        }
    }
}
