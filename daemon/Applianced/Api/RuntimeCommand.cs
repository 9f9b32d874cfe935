using System.Diagnostics;
using System.Runtime;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Api;

/// <summary>
/// runtime: the process's own counters (CPU, allocation, collections, lock contention, pool), so a
/// benchmark or an operator sees what a daemon costs from outside without attaching a profiler.
/// </summary>
internal static class RuntimeCommand
{
    public static void Register(ApiRouter router) => router.Add("runtime", _ =>
    {
        using var self = Process.GetCurrentProcess();
        var info = GC.GetGCMemoryInfo();
        return new JsonObject
        {
            ["serverGc"] = GCSettings.IsServerGC,
            ["gcHeaps"] = GC.GetConfigurationVariables().TryGetValue("HeapCount", out var heaps) ? Convert.ToInt64(heaps) : null,
            ["cpuSeconds"] = self.TotalProcessorTime.TotalSeconds,
            ["allocatedBytes"] = GC.GetTotalAllocatedBytes(),
            ["gcCollections"] = new JsonArray(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)),
            ["gcPauseMs"] = GC.GetTotalPauseDuration().TotalMilliseconds,
            ["heapBytes"] = info.HeapSizeBytes,
            ["lockContentions"] = Monitor.LockContentionCount,
            ["threads"] = ThreadPool.ThreadCount,
            ["workItems"] = ThreadPool.CompletedWorkItemCount,
            ["workingSetBytes"] = self.WorkingSet64,
        };
    });
}
