using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Web;

/// <summary>
/// One uploaded form's work (an upgrade, a restore) in a session: the command runs on beside the
/// request that brings its file, so a page can show its stages ("receiving", then the command's
/// own: "verifying", "unpacking", "extracting") and its outcome while it goes on, and after.
/// </summary>
internal sealed class WebJob
{
    private readonly Lock _lock = new();
    private readonly List<ProgressReport> _stages = [];

    public WebJob(string kind) => Kind = kind;

    public string Kind { get; }
    public WorkProgress Progress { get; } = new();
    public Task<JsonObject> Work { get; private set; } = Task.FromResult(new JsonObject());

    public void Start(Func<Task<JsonObject>> work) => Work = Task.Run(work);

    public bool Running => !Work.IsCompleted;

    /// <summary>The refusal that ended the work; null while it runs or when it succeeded.</summary>
    public ApiException? Refusal => Work is { IsFaulted: true } w ? w.Exception!.InnerException as ApiException ?? ApiErrors.Translate(w.Exception.InnerException!) : null;

    public JsonObject? Result => Work.IsCompletedSuccessfully ? Work.Result : null;

    /// <summary>Each stage so far with its latest figures, in the order they began.</summary>
    public IReadOnlyList<ProgressReport> Stages()
    {
        lock (_lock)
        {
            foreach (var report in Progress.TakeChanges())
            {
                var i = _stages.FindIndex(s => s.Phase == report.Phase);
                if (i < 0) _stages.Add(report);
                else _stages[i] = report;
            }
            return [.. _stages];
        }
    }
}
