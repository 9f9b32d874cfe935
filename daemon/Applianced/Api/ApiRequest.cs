using System.Text.Json.Nodes;

namespace Appliance.Daemon.Api;

/// <summary>One decoded request line. User and Channel say who asked, for the configuration log.</summary>
public sealed record ApiRequest(string Cmd, JsonObject Args, string User, string Channel)
{
    public string? OptionalString(string name) => Args[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw ApiException.BadArgs($"'{Cmd}' needs the argument '{name}' (a string)");

    public IReadOnlyList<string> StringList(string name) =>
        Args[name] is JsonArray a
            ? a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw ApiException.BadArgs($"'{name}' must be a list of strings")).ToList()
            : throw ApiException.BadArgs($"'{Cmd}' needs the argument '{name}' (a list of strings)");

    public int? OptionalInt(string name) => Args[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}
