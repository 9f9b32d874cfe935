namespace Appliance.Ctl;

/// <summary>Help text, built from the command table so it never drifts from what is accepted.</summary>
internal static class Usage
{
    private static readonly string[] SecretsNote =
    [
        "Secret fields (see config sections) never take a value on the line: name the field alone",
        "(config set root.password; config add bridges B address=A password) and type it twice at the",
        "prompt, or pipe it on stdin (one line per secret field). The cluster key: cluster set-key.",
    ];

    public static void Write(TextWriter w, string? group = null, bool shell = false)
    {
        var specs = group is null ? Commands.All : Commands.InGroup(group).ToArray();
        if (group is null)
        {
            w.WriteLine(shell ? "commands:" : "usage: appliancectl [--socket PATH] [--json] COMMAND ...");
            w.WriteLine();
        }
        else
            w.WriteLine("usage:");
        var width = specs.Max(s => s.Usage.Length);
        foreach (var s in specs)
            w.WriteLine("  " + s.Usage.PadRight(width) + "  " + s.Summary);
        if (group is not null)
            return;
        w.WriteLine("  " + "help [COMMAND]".PadRight(width) + "  this text, or one command's usage");
        if (shell)
            w.WriteLine("  " + "exit, quit".PadRight(width) + "  leave (Ctrl-D too)");
        w.WriteLine();
        foreach (var line in SecretsNote)
            w.WriteLine(line);
        if (shell)
        {
            w.WriteLine("Lines that name a secret field are not kept in the history.");
            w.WriteLine("Double quotes group words with spaces. Tab completes commands and sections.");
            return;
        }
        w.WriteLine("With no COMMAND: an interactive shell with history and completion.");
        w.WriteLine($"Socket: --socket, else $APPLIANCE_SOCKET, else {Cli.DefaultSocket}.");
        w.WriteLine("--since T: ISO-8601 (2026-11-25T10:00:00Z) or an age (30s, 10m, 2h, 1d, 1w).");
        w.WriteLine("Exit codes: 0 ok, 1 usage, 2 rejected (validation, notfound, conflict), 3 daemon unreachable, 4 internal.");
    }

    public static void WriteCommand(TextWriter w, CommandSpec spec)
    {
        w.WriteLine("usage: " + spec.Usage);
        w.WriteLine("  " + spec.Summary);
    }
}
