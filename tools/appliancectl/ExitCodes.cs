namespace Appliance.Ctl;

/// <summary>Process exit codes; scripts rely on them, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad command line: unknown command, missing or malformed argument.</summary>
    public const int Usage = 1;
    /// <summary>The daemon refused the change (validation, notfound, conflict), or the CLI did (refused:
    /// a command that asks before it runs was not confirmed); nothing was stored. Also: a check failed (`cluster check`).</summary>
    public const int Rejected = 2;
    /// <summary>The daemon could not be reached on its socket.</summary>
    public const int Unreachable = 3;
    /// <summary>Something broke inside the daemon or the CLI.</summary>
    public const int Internal = 4;

    /// <summary>`cluster check`: Rejected when any check failed, so a script can stop there (warnings do not count).</summary>
    public static int ForChecks(System.Text.Json.Nodes.JsonObject result) =>
        result["checks"] is System.Text.Json.Nodes.JsonArray checks && checks.Any(c => c?["state"]?.GetValue<string>() == "fail") ? Rejected : Ok;

    /// <summary>The scheme in one line, for help and the man page (README's "Exit codes" says the same).</summary>
    public const string Summary =
        "Exit codes: 0 ok, 1 usage, 2 rejected (validation, notfound, conflict), 3 daemon unreachable, 4 internal.";

    public static int ForErrorKind(string? kind) => kind switch
    {
        "usage" => Usage,
        "validation" or "notfound" or "conflict" or "refused" => Rejected,
        "unreachable" => Unreachable,
        _ => Internal,
    };
}
