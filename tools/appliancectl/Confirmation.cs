using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// The question a command that cannot be taken back asks before it runs (reboot, restart, cluster
/// leave, backup restore, upgrade): y/N on a terminal, naming what will happen; `--yes` answers it
/// for a script; with neither a terminal nor `--yes` the command is refused and nothing is sent.
/// </summary>
internal static class Confirmation
{
    public const string YesFlag = "--yes";

    /// <summary>True when the command may run; otherwise the refusal has been written and <paramref name="code"/> says how to exit.</summary>
    public static async Task<(bool Go, int Code)> AskAsync(CommandContext c, ParsedCommand parsed, CancellationToken ct)
    {
        var what = parsed.Spec.Confirm!(await HostNameAsync(c.Client, ct), parsed.Args);
        if (c.Host.Terminal is not { } terminal)
            return (false, c.Output.Error(ApiError.Create("refused",
                $"{what}. '{parsed.Spec.Words}' asks before it runs and stdin is not a terminal, so nothing was done; add {YesFlag} to run it from a script")));
        c.Host.Err.WriteLine(what + ".");
        var answer = SecretPrompt.Read(terminal, c.Host.Err, "Continue? [y/N] ", echo: true);
        if (answer is not null && answer.Trim().ToLowerInvariant() is "y" or "yes")
            return (true, ExitCodes.Ok);
        return (false, c.Output.Error(ApiError.Create("refused", $"not confirmed: nothing was changed ('{parsed.Spec.Words}' runs only on y)")));
    }

    /// <summary>This peer's host name as the daemon says it, for the question (a peer is named, not
    /// "the appliance"). An unreachable daemon is reported as such: there is nothing to ask about.</summary>
    private static async Task<string> HostNameAsync(ApiClient client, CancellationToken ct)
    {
        try
        {
            var status = await client.CallAsync("status", new JsonObject(), ct);
            return status.Result?["host"] is JsonValue v && v.TryGetValue(out string? host) && host.Length > 0 ? host : "(unknown)";
        }
        catch (ProtocolException)
        {
            return "(unknown)";
        }
    }
}
