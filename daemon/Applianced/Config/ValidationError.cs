using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// One refused value: which field (a config path such as "ipv4.gateway" or "bridges.b1.port"),
/// the value as given (null when there is none or when it is a secret), and the rule it broke.
/// </summary>
public sealed record ValidationError(string Field, string? Value, string Rule)
{
    public string Message => Value is null ? $"{Field}: {Rule}" : $"{Field}: \"{Value}\" {Rule}";

    public override string ToString() => Message;

    /// <summary>The API's error object: {"kind":"validation","message","field","value","rule"}.</summary>
    public JsonObject ToJson() => new()
    {
        ["kind"] = "validation",
        ["message"] = Message,
        ["field"] = Field,
        ["value"] = Value,
        ["rule"] = Rule,
    };
}

/// <summary>Thrown by every config operation when a value is refused; nothing should be stored.</summary>
public sealed class ConfigValidationException(ValidationError error) : Exception(error.Message)
{
    public ValidationError Error { get; } = error;
}

/// <summary>
/// A new section value (or collection item) that passed validation, plus warnings the operator
/// should see (weak cluster key, 3-peer cluster) that do not stop the change.
/// </summary>
public sealed record ConfigResult(JsonObject Value, IReadOnlyList<string> Warnings);
