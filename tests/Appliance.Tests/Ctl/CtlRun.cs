using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

internal sealed record CtlResult(int Code, string Out, string Err);

/// <summary>Runs appliancectl in-process against a FakeDaemon.</summary>
internal static class CtlRun
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<CtlResult> RunWithStdinAsync(FakeDaemon daemon, string stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = await Cli.RunAsync(["--socket", daemon.SocketPath, .. args], new StringReader(stdin), output, error)
            .WaitAsync(Timeout);
        return new CtlResult(code, output.ToString(), error.ToString());
    }

    public static Task<CtlResult> RunAsync(FakeDaemon daemon, params string[] args) => RunWithStdinAsync(daemon, "", args);
}
