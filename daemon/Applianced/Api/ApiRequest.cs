using System.Text.Json.Nodes;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Api;

/// <summary>
/// One decoded request. User is who asked, as the operating system says (the connecting process's
/// user, read from the socket), never what the client claims; OnBehalfOf carries a claim only for a
/// channel that authenticates its own users (see <see cref="ApiServer"/>). Channel says how, for
/// the configuration log. Upload: the request's data follows as an upload (PROTOCOL.md).
/// </summary>
public sealed record ApiRequest(string Cmd, JsonObject Args, string User, string Channel)
{
    public string? OnBehalfOf { get; init; }

    public bool Upload { get; init; }

    /// <summary>Set when the client asked for progress events ("progress": true); commands that report progress move it.</summary>
    public WorkProgress? Progress { get; init; }

    /// <summary>Who to name in a log line: "admin", or "root on behalf of alice".</summary>
    public string Who => OnBehalfOf is null ? User : $"{User} on behalf of {OnBehalfOf}";

    /// <summary>
    /// Refuses arguments that name files on the box (older clients sent them): the daemon opens no
    /// path a client gives (DESIGN.md section 9); files come and go as uploads and downloads.
    /// </summary>
    public ApiRequest WithoutPaths(params string[] names)
    {
        foreach (var name in names)
        {
            if (Args.ContainsKey(name))
                throw ApiException.BadArgs($"'{Cmd}' takes no '{name}': the appliance opens no file a client names; " +
                    "send the data as an upload, or fetch it as a download (PROTOCOL.md)");
        }
        return this;
    }

    public string? OptionalString(string name) => Args[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw ApiException.BadArgs($"'{Cmd}': the argument '{name}' must be a string"),
    };

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw ApiException.BadArgs($"'{Cmd}' needs the argument '{name}' (a string)");

    public IReadOnlyList<string> StringList(string name) =>
        Args[name] is JsonArray a
            ? a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw ApiException.BadArgs($"'{name}' must be a list of strings")).ToList()
            : throw ApiException.BadArgs($"'{Cmd}' needs the argument '{name}' (a list of strings)");

    public int? OptionalInt(string name) => Args[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        _ => throw ApiException.BadArgs($"'{Cmd}': the argument '{name}' must be a whole number"),
    };

    /// <summary>An optional whole number that must lie in [min, max]; the error names both.</summary>
    public int? OptionalInt(string name, int min, int max) => OptionalInt(name) switch
    {
        null => null,
        var n when n >= min && n <= max => n,
        var n => throw new ApiException(ApiException.Usage, $"'{Cmd}': '{name}' must be {min}..{max}, not {n}", name, n.ToString(), $"{min}..{max}"),
    };
}
