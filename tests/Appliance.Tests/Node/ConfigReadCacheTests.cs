using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Node;

/// <summary>The config read cache against a real store file: what it keeps never outlives the records it was read from.</summary>
public sealed class ConfigReadCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StoreClass _store;
    private readonly ConfigStore _config;

    public ConfigReadCacheTests()
    {
        _store = StoreClass.Open(_dir["data"]);
        _config = new ConfigStore(_store, new NodeLogs(_dir["logs"], 1 << 20, TimeProvider.System));
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_join_that_drops_the_shared_sections_is_not_answered_from_the_cache()
    {
        _store.Write([new Mutation(Scopes.Cluster, "admin", "", """{"user":"ops"}""")]);
        Assert.Equal("ops", (string?)_config.Read("admin")["user"]); // read once: now cached

        _store.ResetForJoin(Path.Combine(_dir["data"], "backups", "before-join.db"));

        // The joiner's own admin section is gone until the cluster's arrives: the defaults, not the old user.
        Assert.Null(_store.Get(Scopes.Cluster, "admin", ""));
        Assert.NotEqual("ops", (string?)_config.Read("admin")["user"]);
    }
}
