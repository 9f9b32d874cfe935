using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>The admin's SSH keys are shared: a peer that joins gets the cluster's keys, and a key added on any peer reaches every peer's authorized_keys.</summary>
public class SshKeyReplicationTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task A_joining_peer_gets_the_clusters_keys_and_a_key_added_anywhere_reaches_every_authorized_keys_file()
    {
        using var keys = new TempDirectory();
        string FileOf(int peer) => keys[$"p{peer + 1}/ssh/authorized_keys"];
        await using var c = await TestCluster.StartAsync(2, extraArgs: i => ["--authorized-keys-file", FileOf(i)]);
        var first = await GeneratedSshKey.CreateAsync(keys.Path, "ed25519", comment: "first@ops");
        var second = await GeneratedSshKey.CreateAsync(keys.Path, "ecdsa", 256, comment: "second@ops");

        await c[0].Api("sshkeys.add", new JsonObject { ["keys"] = first.PublicLine + "\n" });
        await c.FormAsync();
        await WaitForKeyAsync(FileOf(1), first, "p2 (joined after the key was added) writes p1's key");

        await c[1].Api("sshkeys.add", new JsonObject { ["keys"] = second.PublicLine + "\n", ["name"] = "second" });
        await WaitForKeyAsync(FileOf(0), second, "p1 writes the key added on p2");
        var listed = (JsonArray)(await c[0].Api("sshkeys.list"))["keys"]!;
        Assert.Equal(["first-ops", "second"], listed.Select(k => (string)k!["name"]!).Order());
    }

    private static Task WaitForKeyAsync(string file, GeneratedSshKey key, string what) =>
        Eventually.WaitUntil(() => Task.FromResult(File.Exists(file) && File.ReadAllText(file).Contains(key.PublicLine, StringComparison.Ordinal)), Settle, what);
}
