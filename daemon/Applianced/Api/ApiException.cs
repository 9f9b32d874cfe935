namespace Appliance.Daemon.Api;

/// <summary>An error the API reports to its caller; Kind maps to the CLI's exit codes (see PROTOCOL.md).</summary>
public sealed class ApiException(string kind, string message, string? field = null, string? value = null, string? rule = null)
    : Exception(message)
{
    public const string Usage = "usage";
    public const string Validation = "validation";
    public const string NotFound = "notfound";
    public const string Conflict = "conflict";
    public const string Internal = "internal";

    public string Kind { get; } = kind;
    public string? Field { get; } = field;
    public string? Value { get; } = value;
    public string? Rule { get; } = rule;

    public static ApiException BadArgs(string message) => new(Usage, message);
}
