namespace Appliance.Ctl;

public static class Program
{
    public static int Main(string[] args)
    {
        var host = new CliHost(Console.In, Console.Out, Console.Error)
        {
            Terminal = Console.IsInputRedirected ? null : new ConsoleTerminal(),
            OutputIsTerminal = !Console.IsOutputRedirected,
            ErrorIsTerminal = !Console.IsErrorRedirected,
            Columns = CliHost.DetectColumns(!Console.IsOutputRedirected, Environment.GetEnvironmentVariable),
        };
        // Ctrl-C ends the running command (e.g. log --follow) and leaves the shell alive; with no
        // command running it ends the process as usual.
        Console.CancelKeyPress += (_, e) => e.Cancel = host.Interrupts.Interrupt();
        return Cli.RunAsync(args, host, CancellationToken.None).GetAwaiter().GetResult();
    }
}
