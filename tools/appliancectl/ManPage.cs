using System.Text;

namespace Appliance.Ctl;

/// <summary>`appliancectl --man`: the manual page (roff, man(7) macros) built from the same command
/// table, aliases and examples as `help`, so the page installed on the image says what this binary accepts.</summary>
internal static class ManPage
{
    public static string Roff(string version)
    {
        var m = new StringBuilder();
        m.Append(".TH APPLIANCECTL 1 \"\" \"appliancectl ").Append(Escape(version)).AppendLine("\" \"Appliance manual\"");
        // A command reference: no hyphenated words, left-aligned (a command stays copyable as shown).
        m.AppendLine(".nh").AppendLine(".ad l");
        m.AppendLine(".SH NAME").AppendLine("appliancectl \\- maintenance CLI and admin shell of an appliance peer");
        m.AppendLine(".SH SYNOPSIS");
        m.AppendLine(".B appliancectl").AppendLine(Escape("[--socket PATH] [--json] [--wide] COMMAND [ARGS...]"));
        m.AppendLine(".br").AppendLine(".B appliancectl").AppendLine(Escape("[--socket PATH] [--json]   (an interactive shell)"));
        m.AppendLine(".br").AppendLine(".B appliancectl").AppendLine(Escape("--help | --version | --man"));
        m.AppendLine(".SH DESCRIPTION");
        Text(m, "appliancectl talks to the applianced daemon of this peer over its API socket. Every command "
            + "below maps to one API command; --json prints the daemon's result as is (times in ISO-8601 UTC), "
            + "otherwise results are shown for people (local time, durations such as 3 d 4 h) and fitted to the terminal.");
        Text(m, "With no command it is an interactive shell (the admin's SSH login shell): history, tab completion "
            + "of commands, sections, fields and values, and ? for what may come next. Nothing typed there reaches a system shell.");
        m.AppendLine(".SH OPTIONS");
        Option(m, "--socket PATH", $"the daemon's API socket (else ${Cli.SocketVariable}, else {Cli.DefaultSocket})");
        Option(m, "--json", "results and errors as JSON, for scripts");
        Option(m, "--wide", "tables and values whole instead of fitted to the terminal's width");
        Option(m, "--help, help [COMMAND]", "the commands, or one command's usage, example and fields");
        Option(m, "--version", "the version of appliancectl");
        Option(m, "--man", "this page, as roff");
        m.AppendLine(".SH COMMANDS");
        foreach (var group in Commands.Groups)
        {
            m.Append(".SS ").AppendLine(Escape(group));
            foreach (var spec in Commands.InGroup(group))
            {
                m.AppendLine(".TP").Append(".B ").AppendLine(Escape(spec.Usage));
                m.AppendLine(Escape(spec.Summary));
                if (Examples.For(spec) is { } example)
                    m.AppendLine(".br").Append("Example: ").Append("\\f(CW").Append(Escape(example)).AppendLine("\\fR");
            }
        }
        m.AppendLine(".SH ALIASES");
        Text(m, "Names operators of other appliances type; each stands for the command after = and takes its arguments.");
        foreach (var alias in Aliases.All)
            m.AppendLine(".TP").Append(".B ").AppendLine(Escape(alias.Words)).Append("= ").AppendLine(Escape(alias.Target));
        m.AppendLine(".SH SECRETS");
        Text(m, "Secret fields (config sections lists them) never take a value on the command line: name the field "
            + "alone and type the value twice at the prompt, or pipe it on stdin. The cluster key: cluster set-key.");
        m.AppendLine(".SH EXIT STATUS");
        Text(m, ExitCodes.Summary);
        m.AppendLine(".SH ENVIRONMENT");
        Option(m, Cli.SocketVariable, "the API socket when --socket is not given");
        Option(m, "COLUMNS", "the width output fits when it is not a terminal");
        m.AppendLine(".SH FILES");
        Option(m, Cli.DefaultSocket, "the daemon's API socket");
        Option(m, "~/.appliancectl_history", "the shell's history (never a line that names a secret)");
        return m.ToString();
    }

    private static void Text(StringBuilder m, string text) => m.AppendLine(".PP").AppendLine(Escape(text));

    private static void Option(StringBuilder m, string name, string text) =>
        m.AppendLine(".TP").Append(".B ").AppendLine(Escape(name)).AppendLine(Escape(text));

    /// <summary>Text safe in roff: backslashes and dashes escaped, no line starting with a control character.</summary>
    internal static string Escape(string text)
    {
        var s = text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return s.StartsWith('.') || s.StartsWith('\'') ? "\\&" + s : s;
    }
}
