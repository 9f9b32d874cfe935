using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>What a command's Prepare step may use.</summary>
internal sealed record CommandContext(CliHost Host, ApiClient Client, Output Output);

/// <summary>Runs one command line (already split into words) and turns every outcome into an exit
/// code. Shared by the one-shot CLI and the interactive shell.</summary>
internal sealed class CommandRunner(CliHost host, ApiClient client)
{
    public string SocketPath => client.SocketPath;

    public async Task<int> RunAsync(IReadOnlyList<string> words, bool json, bool shell, CancellationToken ct, bool wide = false)
    {
        var output = new Output(host, json, wide);
        try
        {
            if (words.Count > 0 && words[0] == "help")
                return await HelpAsync(words.Skip(1).ToList(), shell, ct);
            var (spec, rest) = CommandLine.Match(words);
            var parsed = CommandLine.Parse(spec, rest);
            if (parsed.Help)
            {
                await WriteCommandHelpAsync(spec, rest, ct);
                return ExitCodes.Ok;
            }
            using var scope = host.Interrupts.Begin(ct);
            return await ExecuteAsync(parsed, output, scope.Token);
        }
        catch (UsageException e) when (e.Group is not null && words.Count == 2 && words[1] is "--help" or "-h")
        {
            Usage.Write(host.Out, e.Group, shell, host.Columns);
            return ExitCodes.Ok;
        }
        catch (UsageException e)
        {
            return output.UsageError(e, shell);
        }
        catch (DaemonUnreachableException e)
        {
            output.Error(ApiError.Create("unreachable", e.Message));
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException)
        {
            output.Error(ApiError.Create("internal", "interrupted before the daemon answered; the command may still take effect"));
            return ExitCodes.Internal;
        }
        catch (ProtocolException e)
        {
            output.Error(ApiError.Create("internal", e.Message));
            return ExitCodes.Internal;
        }
    }

    private async Task<int> ExecuteAsync(ParsedCommand parsed, Output output, CancellationToken ct)
    {
        if (parsed.Spec.Asks(parsed.Args) && !parsed.Yes)
        {
            // Asked before any other prompt (a backup's password): a no costs the admin nothing more.
            var (go, code) = await Confirmation.AskAsync(new CommandContext(host, client, output), parsed, ct);
            if (!go)
                return code;
        }
        var args = parsed.Args;
        if (parsed.Spec.Prepare is { } prepare)
        {
            var prepared = await prepare(new CommandContext(host, client, output), args, ct);
            if (prepared is null)
                return ExitCodes.Usage;
            args = prepared;
        }
        if (parsed.Spec.Run is { } run)
            return await run(new CommandContext(host, client, output), args, ct);
        if (parsed.Follow)
        {
            var error = await client.FollowAsync(parsed.Spec.FollowCmd!, args, e =>
            {
                output.Entry(e);
                return Task.CompletedTask;
            }, ct);
            return error is null ? ExitCodes.Ok : output.Error(error);
        }
        var response = await client.CallAsync(parsed.Spec.ApiCmd, args, ct);
        if (response.Error is { } err)
            return output.Error(err);
        output.Result(response.Result!);
        return parsed.Spec.ExitCode?.Invoke(response.Result!) ?? ExitCodes.Ok;
    }

    private async Task<int> HelpAsync(List<string> topic, bool shell, CancellationToken ct)
    {
        if (topic.Count == 0)
        {
            Usage.Write(host.Out, null, shell, host.Columns);
            return ExitCodes.Ok;
        }
        try
        {
            var (spec, rest) = CommandLine.Match(topic);
            await WriteCommandHelpAsync(spec, rest, ct);
        }
        catch (UsageException e) when (e.Group is not null)
        {
            Usage.Write(host.Out, e.Group, shell, host.Columns);
        }
        return ExitCodes.Ok;
    }

    /// <summary>The command's usage and example and, for a command that names configuration
    /// fields, those fields as the daemon's schema describes them (`help config set ipv4`: one section).</summary>
    private async Task WriteCommandHelpAsync(CommandSpec spec, IReadOnlyList<string> rest, CancellationToken ct)
    {
        Usage.WriteCommand(host.Out, spec, host.Columns);
        if (!FieldHelp.Applies(spec))
            return;
        var sections = rest.Where(w => !w.StartsWith('-')).Select(w => w.Split('.')[0]).ToList();
        FieldHelp.Write(host.Out, await TryCallAsync("config.sections", ct), sections, host.Columns ?? Usage.DefaultColumns);
    }

    /// <summary>Calls one command for the CLI's own needs (prompt, completion): result or null.</summary>
    public Task<JsonObject?> TryCallAsync(string cmd, CancellationToken ct) => TryCallAsync(cmd, new JsonObject(), ct);

    public async Task<JsonObject?> TryCallAsync(string cmd, JsonObject args, CancellationToken ct)
    {
        try
        {
            var r = await client.CallAsync(cmd, args, ct);
            return r.Result;
        }
        catch (Exception e) when (e is DaemonUnreachableException or ProtocolException)
        {
            return null;
        }
    }
}
