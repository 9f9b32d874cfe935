using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>R11: a key change applies live: mismatch while only one side has it, Active again once both do.</summary>
public class KeyChangeTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task ChangingTheKey_OnOnePeer_IsAMismatch_UntilTheOtherHasItToo_ThenReplicationResumes()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        const string newKey = "a-brand-new-cluster-key-2";

        await c[0].SetKey(newKey);
        await c.WaitStatusAsync(0, 1, "Key mismatch");
        await c.WaitStatusAsync(1, 0, "Key mismatch");
        await c[0].Add("bridges", "during-mismatch", ("address", "10.0.0.1"));
        await Task.Delay(1000);
        Assert.False((await c[1].Items("bridges")).ContainsKey("during-mismatch"));

        await c[1].SetKey(newKey);
        await c.WaitAllActiveAsync();
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).ContainsKey("during-mismatch"), Settle, "the write made during the mismatch arrives");
    }
}
