using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Progress;
using Microsoft.AspNetCore.Http;
using static Appliance.Daemon.Web.Html;

namespace Appliance.Daemon.Web;

/// <summary>
/// The progress page of an uploaded form's work (<see cref="WebJob"/>): its stages with their
/// figures while it runs (the page reloads itself each second: a Refresh header, no script), then
/// its outcome, or the form again with the refusal beside its field.
/// </summary>
internal sealed partial class WebSite
{
    /// <summary>What a job's pages need: where its progress shows, the form again with a refusal, the outcome's HTML, and the page that follows a success (the daemon restarts).</summary>
    private sealed record JobPages(string Title, string ProgressPath, Func<WebCall, ApiException, Task> Refused, Func<JsonObject, string> Outcome, string Then);

    /// <summary>The answer to the form itself: the outcome when the work is already over, else its progress page (POST, redirect, GET).</summary>
    private async Task JobAnswerAsync(WebCall call, WebJob job, JobPages pages)
    {
        if (!job.Running)
        {
            await JobPageAsync(call, job, pages);
            return;
        }
        call.Http.Response.Redirect(pages.ProgressPath, permanent: false);
        call.Http.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private async Task JobProgressAsync(WebCall call, string cmd, JobPages pages, string otherwise)
    {
        if (call.Session.Jobs.TryGetValue(cmd, out var job)) await JobPageAsync(call, job, pages);
        else call.Http.Response.Redirect(otherwise, permanent: false);
    }

    private async Task JobPageAsync(WebCall call, WebJob job, JobPages pages)
    {
        var running = job.Running;
        var stages = Stages(job.Stages(), running);
        if (running)
        {
            call.Http.Response.Headers["Refresh"] = "1";
            await PageAsync(call, pages.Title, stages + "<p id=\"job-status\" class=\"help\">Working; this page reloads every second until it ends.</p>");
        }
        else if (job.Refusal is { } refusal) await pages.Refused(call, refusal);
        else
        {
            call.Http.Response.Headers["Refresh"] = $"5; url={pages.Then}";
            await PageAsync(call, pages.Title, stages + pages.Outcome(job.Result!));
        }
    }

    /// <summary>Each stage with a bar: a stage that ended is shown as done, the running one with its figures.</summary>
    private static string Stages(IReadOnlyList<ProgressReport> stages, bool running)
    {
        var html = new StringBuilder("<table id=\"stages\"><tr><th>Stage</th><th>Progress</th><th></th></tr>");
        for (var i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            var current = running && i == stages.Count - 1;
            var percent = current ? s.Percent : 100;
            var figures = current
                ? $"{s.Done.ToString("N0", CultureInfo.InvariantCulture)} of {(s.Total is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "?")} {s.Unit}, {s.PerSecond.ToString("N0", CultureInfo.InvariantCulture)} {s.Unit}/s"
                : $"done ({s.Done.ToString("N0", CultureInfo.InvariantCulture)} {s.Unit})";
            html.Append($"<tr class=\"stage\"><td>{E(s.Phase)}</td>")
                .Append(percent is { } p ? $"<td><progress max=\"100\" value=\"{p}\">{p}%</progress></td>" : "<td><progress></progress></td>")
                .Append($"<td>{E(figures)}</td></tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <summary>A refusal of the form's work: about a field's value beside that field, anything else (a conflict) above the form.</summary>
    private static (string? Page, string? Field, string FieldName) Placed(ApiException? e, string prefix, string fileField, params string[] otherFields)
    {
        if (e is null) return (null, null, fileField);
        var text = prefix + Message(e);
        if (e.Kind is not (ApiException.Validation or ApiException.Usage)) return (text, null, fileField);
        return (null, text, e.Field is { } f && otherFields.Contains(f) ? f : fileField);
    }
}
