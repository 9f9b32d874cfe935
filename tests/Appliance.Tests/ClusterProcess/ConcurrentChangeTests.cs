using System.Text.Json.Nodes;
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
            // At least one refused: one address serves one location (R7).
            if (!answers.Contains("validation")) both.Add($"round {round}: {string.Join(", ", answers)}");
            var holders = (await d.Daemon.Items("location-addresses")).Values.Count(i => (string?)i["rendezvous"] == address);
            if (holders != 1) both.Add($"round {round}: {holders} locations hold {address}");
        }
        Assert.True(both.Count == 0, string.Join("\n", both));
    }

    /// <summary>Each add reads the collection it adds to (R7: an address serves one location), so each commit makes the others' reads stale: all still get through.</summary>
    [Fact(Timeout = 240_000)]
    public async Task Sixteen_clients_adding_to_one_collection_that_each_add_reads_all_get_through()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        var names = Enumerable.Range(0, 16).Select(i => $"site-{i}").ToList();
        await d.Daemon.Api("config.add", new JsonObject
        {
            ["section"] = "locations",
            ["items"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject { ["name"] = n }).ToArray()),
        });
        var answers = await Task.WhenAll(names.Select((n, i) =>
            Task.Run(() => Outcome(d.Daemon.Add("location-addresses", n, ("rendezvous", $"198.18.8.{i + 1}"))))));
        Assert.All(answers, a => Assert.Equal("ok", a));
        Assert.Equal(16, (await d.Daemon.Items("location-addresses")).Count);
    }

    [Fact(Timeout = 240_000)]
    public async Task Two_sessions_removing_the_last_two_ssh_keys_at_once_leave_one_when_no_password_is_set()
    {
        using var keys = new TempDirectory();
        await using var d = new StandaloneDaemon(extraArgs: ["--authorized-keys-file", keys["ssh/authorized_keys"]]);
        await d.Daemon.StartAsync();
        var first = await GeneratedSshKey.CreateAsync(keys.Path, "ed25519", comment: "first@ops");
        var second = await GeneratedSshKey.CreateAsync(keys.Path, "ed25519", comment: "second@ops");
        var none = new List<string>();
        for (var round = 0; round < Rounds / 2; round++)
        {
            var held = (await Names(d)).ToHashSet();
            foreach (var (key, name) in new[] { (first, "first"), (second, "second") })
                if (!held.Contains(name)) await d.Daemon.Api("sshkeys.add", new JsonObject { ["keys"] = key.PublicLine + "\n", ["name"] = name });
            var answers = await Task.WhenAll(
                Task.Run(() => Outcome(d.Daemon.Api("sshkeys.remove", new JsonObject { ["key"] = "first" }))),
                Task.Run(() => Outcome(d.Daemon.Api("sshkeys.remove", new JsonObject { ["key"] = "second" }))));
            var left = await Names(d);
            if (left.Count != 1 || !answers.Contains("conflict")) none.Add($"round {round}: {string.Join(", ", answers)}; left: [{string.Join(", ", left)}]");
        }
        Assert.True(none.Count == 0, "a way in must remain (R: no password, so the last key stays):\n" + string.Join("\n", none));
    }

    private static async Task<List<string>> Names(StandaloneDaemon d) =>
        ((JsonArray)(await d.Daemon.Api("sshkeys.list"))["keys"]!).Select(k => (string)k!["name"]!).ToList();

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
