using Appliance.Daemon.Backup;
using Appliance.Daemon.Maintenance;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;

namespace Appliance.Tests.Maintenance;

/// <summary>The swap at start: atomic, the old store kept until confirmed, put back when the restored one never came up.</summary>
public sealed class RestoreSwapTests
{
    [Fact]
    public void An_unconfirmed_swap_puts_the_previous_store_back_at_the_next_start()
    {
        using var dir = new TempDirectory();
        var data = dir["data"];
        using (var live = Store.Open(data))
            live.Write([new Mutation(Scopes.Cluster, "s", "k", "\"old\"")]);
        using (var other = Store.Open(dir["other"]))
            other.Write([new Mutation(Scopes.Cluster, "s", "k", "\"restored\"")]);
        File.Copy(Path.Combine(dir["other"], Store.FileName), Path.Combine(data, RestoreSwap.StagedName));
        RestoreSwap.Stage(data, Path.Combine(data, RestoreSwap.StagedName),
            new BackupManifest(1, "1.0.0", "S", "p", null, DateTime.UtcNow, []));

        var reports = new List<string>();
        RestoreSwap.CompletePending(data, reports.Add);
        Assert.True(File.Exists(Path.Combine(data, RestoreSwap.BeforeName)));
        using (var swapped = Store.Open(data))
            Assert.Equal("\"restored\"", swapped.Get(Scopes.Cluster, "s", "k")!.Value);

        // No Confirm: the daemon never came up with it. The next start restores the old file.
        RestoreSwap.CompletePending(data, reports.Add);
        Assert.Contains(reports, r => r.Contains("previous store was put back"));
        Assert.False(RestoreSwap.IsPending(data));
        using var back = Store.Open(data);
        Assert.Equal("\"old\"", back.Get(Scopes.Cluster, "s", "k")!.Value);
    }

    [Fact]
    public void Nothing_pending_changes_nothing()
    {
        using var dir = new TempDirectory();
        var reports = new List<string>();
        RestoreSwap.CompletePending(dir.Path, reports.Add);
        Assert.Empty(reports);
        Assert.False(RestoreSwap.Confirm(dir.Path));
    }
}
