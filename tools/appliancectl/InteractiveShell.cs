using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>The shell when appliancectl starts with no command (an admin's SSH login shell).
/// Lines go through the same parser and rendering as the command line; nothing ever reaches a
/// system shell.</summary>
internal sealed class InteractiveShell(CliHost host, CommandRunner runner, bool json)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var prompt = await PromptAsync(ct);
        await runner.TryCallAsync("session.login", ct); // the event log records who opened a shell
        var filter = new HistoryFilter(runner);
        var completer = new Completer(filter.CachedAsync, runner.TryCallAsync, host.Columns);
        var history = new History(host.Terminal is null ? null : History.DefaultPath(host.GetEnv));
        var editor = host.Terminal is { } terminal ? new LineEditor(terminal, host.Out, history, completer.CompleteAsync, completer.HelpAsync) : null;
        if (editor is not null)
        {
            await filter.ScrubAsync(history, ct);
            host.Out.WriteLine("Type help for the commands, exit to leave.");
        }
        var last = ExitCodes.Ok;
        while (!ct.IsCancellationRequested)
        {
            string? line;
            if (editor is not null)
                line = await editor.ReadLineAsync(prompt, ct);
            else
            {
                host.Out.Write(prompt);
                await host.Out.FlushAsync(ct);
                line = await host.In.ReadLineAsync(ct);
            }
            if (line is null)
            {
                host.Out.WriteLine();
                break;
            }
            List<string> words;
            try
            {
                words = Tokenizer.Split(line);
            }
            catch (UsageException e)
            {
                last = new Output(host, json).UsageError(e, shell: true);
                continue;
            }
            if (words.Count == 0)
                continue;
            if (words is ["exit" or "quit"])
                break;
            // Only the line editor reads the history; without it nothing is kept.
            if (editor is not null && await filter.MayKeepAsync(words, ct))
                history.Add(line.Trim());
            last = await RunLineAsync(words, ct);
            await host.Out.FlushAsync(ct);
        }
        return last;
    }

    private async Task<int> RunLineAsync(List<string> words, CancellationToken ct)
    {
        var output = new Output(host, json);
        if (words[0].StartsWith('!'))
            return output.UsageError(new UsageException("there is no shell escape here"), shell: true);
        GlobalOptions global;
        try
        {
            global = CommandLine.ParseGlobal(words);
        }
        catch (UsageException e)
        {
            return output.UsageError(e, shell: true);
        }
        if (global.Socket is not null)
            return output.UsageError(new UsageException("--socket cannot change inside the shell; restart appliancectl with it"), shell: true);
        if (global.Help || global.Words.Count == 0)
            return await runner.RunAsync(["help"], json, shell: true, ct);
        return await runner.RunAsync(global.Words, json || global.Json, shell: true, ct, global.Wide);
    }

    private async Task<string> PromptAsync(CancellationToken ct)
    {
        var status = await runner.TryCallAsync("status", ct);
        if (status?["host"] is JsonValue v && v.TryGetValue(out string? name) && name.Length > 0)
            return Renderer.Scalar(v) + "> ";
        host.Err.WriteLine($"warning: no status from the daemon at {runner.SocketPath}; commands fail until it answers (is applianced running?)");
        return Environment.MachineName + "> ";
    }
}
