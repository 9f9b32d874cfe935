namespace Appliance.Ctl;

/// <summary>Help text, built from the command table so it never drifts from what is accepted.</summary>
internal static class Usage
{
    /// <summary>Help fits this many columns when the terminal's width is not known (a pipe, a script).</summary>
    public const int DefaultColumns = 80;

    /// <summary>The widest the usage column gets; a longer usage has its summary on the next line.</summary>
    private const int UsageColumn = 30;

    private static readonly string[] SecretsNote =
    [
        "Secret fields (see config sections) never take a value on the line: name the field alone "
            + "(config set root.password; config add bridges B address=A password) and type it twice at the "
            + "prompt, or pipe it on stdin (one line per secret field). The cluster key: cluster set-key.",
    ];

    public static void Write(TextWriter w, string? group = null, bool shell = false, int? columns = null)
    {
        var width = Math.Min(columns ?? DefaultColumns, DefaultColumns * 2);
        var rows = Rows(group).ToList();
        if (group is null)
        {
            w.WriteLine(shell ? "commands:" : "usage: appliancectl [--socket PATH] [--json] COMMAND ...");
            w.WriteLine();
        }
        else
            w.WriteLine("usage:");
        var column = Math.Min(rows.Max(r => r.Usage.Length), UsageColumn);
        foreach (var (usage, summary) in rows)
            Row(w, usage, summary, column, width);
        if (group is not null)
            return;
        Row(w, "help [COMMAND]", "this text, or one command's usage, fields and example", column, width);
        if (shell)
            Row(w, "exit, quit", "leave (Ctrl-D too)", column, width);
        w.WriteLine();
        Paragraph(w, "Also: " + string.Join("; ", Aliases.All.Select(a => $"{a.Words} = {a.Target}")) + ".", width);
        foreach (var line in SecretsNote)
            Paragraph(w, line, width);
        if (shell)
        {
            Paragraph(w, "Lines that name a secret field are not kept in the history. Double quotes group words with spaces.", width);
            Paragraph(w, "Tab completes commands, sections, fields and values; ? shows what may come next.", width);
            return;
        }
        Paragraph(w, "With no COMMAND: an interactive shell with history and completion.", width);
        Paragraph(w, $"Socket: --socket, else ${Cli.SocketVariable}, else {Cli.DefaultSocket}.", width);
        Paragraph(w, "--since T: ISO-8601 (2026-11-25T10:00:00Z) or an age (30s, 10m, 2h, 1d, 1w).", width);
        Paragraph(w, "--wide (anywhere on the line): tables and values whole, else they fit the terminal.", width);
        Paragraph(w, ExitCodes.Summary, width);
    }

    public static void WriteCommand(TextWriter w, CommandSpec spec, int? columns = null)
    {
        var width = columns ?? DefaultColumns;
        TextWrap.Hanging(w, "usage: ", spec.Usage, width);
        TextWrap.Hanging(w, "  ", spec.Summary, width);
        if (Examples.For(spec) is { } example)
            TextWrap.Hanging(w, "example: ", example, width);
    }

    /// <summary>The commands of the group (all when null), under the words the group uses.</summary>
    private static IEnumerable<(string Usage, string Summary)> Rows(string? group)
    {
        if (group is null)
            return Commands.All.Select(s => (s.Usage, s.Summary));
        var aliased = Aliases.InGroup(group).Select(a => (a.Words + a.Spec.Usage[a.Spec.Words.Length..], $"{a.Spec.Summary} (= {a.Spec.Words})"));
        return Commands.InGroup(group).Select(s => (s.Usage, s.Summary)).Concat(aliased);
    }

    /// <summary>"  usage  summary", the summary wrapped in its column; a usage too long for the
    /// column stands on its own line(s) with the summary below it.</summary>
    private static void Row(TextWriter w, string usage, string summary, int column, int width)
    {
        var head = "  " + usage.PadRight(column) + "  ";
        if (usage.Length > column)
        {
            TextWrap.Hanging(w, "  ", usage, width);
            head = new string(' ', column + 4);
        }
        TextWrap.Hanging(w, head, summary, width);
    }

    private static void Paragraph(TextWriter w, string text, int width) => TextWrap.Hanging(w, "", text, width);
}
