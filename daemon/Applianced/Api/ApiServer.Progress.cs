using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Api;

public sealed partial class ApiServer
{
    /// <summary>At most one progress line this often: enough for a line redrawn on a terminal, little for the socket.</summary>
    internal static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs a command's work. When the request asked for progress ("progress": true), what the work
    /// reports goes to the client meanwhile as {"progress":{...}} lines, ending with the last
    /// figures of every phase, and only then does the caller write the answer (PROTOCOL.md,
    /// "Progress"). A request that did not ask sees its answer alone, as before.
    /// </summary>
    private static async Task<T> WithProgressAsync<T>(ApiRequest request, Stream stream, Func<Task<T>> work, CancellationToken ct)
    {
        if (request.Progress is not { } progress)
            return await work();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reporting = ReportAsync(progress, stream, done.Token, ct);
        try
        {
            return await work();
        }
        finally
        {
            await done.CancelAsync();
            await reporting;
        }
    }

    private static async Task ReportAsync(WorkProgress progress, Stream stream, CancellationToken done, CancellationToken ct)
    {
        try
        {
            for (var last = false; !last;)
            {
                try { await Task.Delay(ProgressEvery, done); }
                catch (OperationCanceledException) { last = true; }
                foreach (var report in progress.TakeChanges())
                    await Write(stream, new JsonObject { ["progress"] = ProgressLine(report) }, ct);
            }
        }
        // A client gone meanwhile: the work goes on, and writing its answer fails in its turn.
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    /// <summary>One progress event, as PROTOCOL.md documents it.</summary>
    internal static JsonObject ProgressLine(ProgressReport report) => new()
    {
        ["phase"] = report.Phase,
        ["unit"] = report.Unit,
        ["done"] = report.Done,
        ["total"] = report.Total,
        ["percent"] = report.Percent,
        ["rate"] = report.PerSecond,
        ["time"] = ApiTime.Text(report.Time),
    };
}
