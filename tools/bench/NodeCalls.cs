using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Node;

namespace Appliance.Bench;

/// <summary>What the in-process benchmark clusters do to a node: call its API handlers, stop it as a process end would.</summary>
internal static class NodeCalls
{
    public static async Task<JsonNode?> CallAsync(PeerNode node, string cmd, JsonObject args, TimeSpan timeout)
    {
        if (!node.Router.TryGet(cmd, out var handler)) throw new InvalidOperationException($"the daemon has no command '{cmd}'");
        return await handler(new ApiRequest(cmd, args, "bench", "api"), CancellationToken.None).WaitAsync(timeout);
    }

    /// <summary>Cluster sessions and API closed, store released.</summary>
    public static async Task StopAsync(PeerNode node)
    {
        await node.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        node.Store.Dispose();
    }
}
