using System.Reflection;

namespace Appliance.Ctl;

/// <summary>The appliancectl entry point, callable in-process (tests) as well as from Main.</summary>
public static class Cli
{
    public const string DefaultSocket = "/run/appliance/api.sock";
    public const string SocketVariable = "APPLIANCE_SOCKET";

    /// <summary>The version this CLI was built as (the software release, Directory.Build.props or build.sh --version).</summary>
    public static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>Runs appliancectl with stdin treated as not a terminal (scripts, tests).</summary>
    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        RunAsync(args, new CliHost(stdin, stdout, stderr), ct);

    internal static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken ct)
    {
        GlobalOptions global;
        try
        {
            global = CommandLine.ParseGlobal(args);
        }
        catch (UsageException e)
        {
            return new Output(host, args.Contains("--json")).UsageError(e);
        }
        var socket = global.Socket ?? (host.GetEnv(SocketVariable) is { Length: > 0 } env ? env : DefaultSocket);
        await using var client = new ApiClient(socket, Environment.UserName, Channel(host));
        var runner = new CommandRunner(host, client);
        if (global.Help)
        {
            Usage.Write(host.Out, columns: host.Columns);
            return ExitCodes.Ok;
        }
        if (global.Version || global.Man)
        {
            if (global.Words.Count > 0)
                return new Output(host, global.Json).UsageError(new UsageException("--version and --man take no command"));
            host.Out.Write(global.Version ? Version + "\n" : ManPage.Roff(Version));
            return ExitCodes.Ok;
        }
        if (global.Words.Count == 0)
            return await new InteractiveShell(host, runner, global.Json).RunAsync(ct);
        var code = await runner.RunAsync(global.Words, global.Json, shell: false, ct, global.Wide);
        await host.Out.FlushAsync(ct);
        return code;
    }

    /// <summary>
    /// "console" for a person at the box's own terminal (a terminal, and not an SSH session: sshd sets
    /// SSH_CONNECTION, which the admin's ForceCommand cannot drop); "cli" otherwise. Only the console
    /// changes the network without a confirm window, as the front panel does.
    /// </summary>
    private static string Channel(CliHost host) =>
        host.Terminal is not null && string.IsNullOrEmpty(host.GetEnv("SSH_CONNECTION")) ? ApiClient.ConsoleChannel : ApiClient.RemoteChannel;
}
