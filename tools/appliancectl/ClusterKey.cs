using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>Gets the cluster key for `cluster set-key`: asked twice without echo on a terminal,
/// otherwise the first line of stdin. Never from argv, never printed.</summary>
internal static class ClusterKey
{
    public const string KeyPath = "cluster.key";
    public const string PeersPath = "cluster.peers";

    public static Task<JsonObject?> PrepareAsync(CommandContext context, JsonObject args, CancellationToken ct)
    {
        var key = context.Host.Terminal is { } terminal
            ? SecretPrompt.ReadTwice(terminal, context.Host.Err, "Cluster key", new UsageException("the two keys differ; nothing was changed", "cluster"))
            : context.Host.In.ReadLine()?.Trim();
        if (key is null)
        {
            if (context.Host.Terminal is null)
                throw new UsageException("no cluster key on stdin (pipe it in, e.g. `appliancectl cluster set-key < keyfile`)", "cluster");
            context.Host.Err.WriteLine("cancelled; nothing was changed");
            return Task.FromResult<JsonObject?>(null);
        }
        if (key.Length == 0)
            throw new UsageException("the cluster key is empty; nothing was changed", "cluster");
        args["key"] = key;
        return Task.FromResult<JsonObject?>(args);
    }
}
