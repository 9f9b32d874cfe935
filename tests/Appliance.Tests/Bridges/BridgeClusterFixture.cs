using Appliance.Tests.Support;

namespace Appliance.Tests.Bridges;

/// <summary>Two real peers, clustered once for a whole test class (each test uses its own bridges).</summary>
public sealed class BridgeClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartFormedAsync(2, "br");

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
