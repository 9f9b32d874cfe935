using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>An error as the protocol carries it; <see cref="Raw"/> keeps every field for --json.</summary>
internal sealed record ApiError(string Kind, string Message, string? Field, string? Value, string? Rule)
{
    public JsonObject Raw { get; init; } = new();

    public static ApiError Create(string kind, string message)
    {
        var raw = new JsonObject { ["kind"] = kind, ["message"] = message };
        return new ApiError(kind, message, null, null, null) { Raw = raw };
    }

    public static ApiError FromJson(JsonNode? node)
    {
        if (node is not JsonObject obj)
            return Create("internal", "the daemon sent an error without details");
        return new ApiError(
            Text(obj["kind"]) ?? "internal",
            Text(obj["message"]) ?? "(no message)",
            Text(obj["field"]),
            Text(obj["value"]),
            Text(obj["rule"])) { Raw = (JsonObject)obj.DeepClone() };
    }

    public int ExitCode => ExitCodes.ForErrorKind(Kind);

    private static string? Text(JsonNode? n) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => n.ToJsonString(),
    };
}

/// <summary>One response line: exactly one of Result and Error is set.</summary>
internal sealed record ApiResponse(JsonObject? Result, ApiError? Error);

/// <summary>Connecting to, or talking over, the daemon socket failed.</summary>
internal sealed class DaemonUnreachableException(string socketPath, string reason, Exception? inner = null)
    : Exception($"cannot reach the appliance daemon at {socketPath}: {reason}", inner)
{
    public string SocketPath { get; } = socketPath;
}

/// <summary>The daemon answered something that is not the protocol.</summary>
internal sealed class ProtocolException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The command line is wrong; <see cref="Group"/> picks the usage lines shown with it.</summary>
internal sealed class UsageException(string message, string? group = null) : Exception(message)
{
    public string? Group { get; } = group;
}
