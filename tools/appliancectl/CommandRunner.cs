using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>What a command's Prepare step may use.</summary>
internal sealed record CommandContext(CliHost Host, ApiClient Client, Output Output);

/// <summary>Runs one command line (already split into words) and turns every outcome into an exit
/// code. Shared by the one-shot CLI and the interactive shell.</summary>
internal sealed class CommandRunner(CliHost host, ApiClient client)
{
    public string SocketPath => client.SocketPath;

    public async Task<int> RunAsync(IReadOnlyList<string> words, bool json, bool shell, CancellationToken ct)
    {
        var output = new Output(host, json);
        try
        {
            if (words.Count > 0 && words[0] == "help")
                return Help(words.Skip(1).ToList(), shell);
            var (spec, rest) = CommandLine.Match(words);
            var parsed = CommandLine.Parse(spec, rest);
            if (parsed.Help)
            {
                Usage.WriteCommand(host.Out, spec);
                return ExitCodes.Ok;
            }
            using var scope = host.Interrupts.Begin(ct);
            return await ExecuteAsync(parsed, output, scope.Token);
        }
        catch (UsageException e) when (e.Group is not null && words.Count == 2 && words[1] is "--help" or "-h")
        {
            Usage.Write(host.Out, e.Group, shell);
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
        if (parsed.Spec.Confirm is not null && !parsed.Yes)
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
        return ExitCodes.Ok;
    }

    private int Help(List<string> topic, bool shell)
    {
        if (topic.Count == 0)
        {
            Usage.Write(host.Out, null, shell);
            return ExitCodes.Ok;
        }
        try
        {
            var (spec, rest) = CommandLine.Match(topic);
            Usage.WriteCommand(host.Out, spec);
        }
        catch (UsageException e) when (e.Group is not null)
        {
            Usage.Write(host.Out, e.Group, shell);
        }
        return ExitCodes.Ok;
    }

    /// <summary>Calls one command for the CLI's own needs (prompt, completion): result or null.</summary>
    public async Task<JsonObject?> TryCallAsync(string cmd, CancellationToken ct)
    {
        try
        {
            var r = await client.CallAsync(cmd, new JsonObject(), ct);
            return r.Result;
        }
        catch (Exception e) when (e is DaemonUnreachableException or ProtocolException)
        {
            return null;
        }
    }
}
