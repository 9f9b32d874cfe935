using System.Text.Json.Nodes;
using Appliance.Daemon.Maintenance;

namespace Appliance.Daemon.Api;

/// <summary>Maintenance refusals become API errors of their kind (validation, conflict, notfound).</summary>
internal static class MaintenanceErrors
{
    public static async Task<JsonNode?> Guard(Func<Task<JsonNode?>> work)
    {
        try { return await work(); }
        catch (MaintenanceException e) { throw new ApiException(e.Kind, e.Message); }
    }

    public static JsonNode? Guard(Func<JsonNode?> work) => GuardValue(work);

    public static Task Guard(Action work)
    {
        GuardValue(() =>
        {
            work();
            return 0;
        });
        return Task.CompletedTask;
    }

    public static T GuardValue<T>(Func<T> work)
    {
        try { return work(); }
        catch (MaintenanceException e) { throw new ApiException(e.Kind, e.Message); }
    }

    /// <summary>Restart after the reply has gone out, so the caller sees the result first.</summary>
    public static void RestartSoon(Action restart) => _ = Task.Run(async () =>
    {
        await Task.Delay(300);
        restart();
    });
}
