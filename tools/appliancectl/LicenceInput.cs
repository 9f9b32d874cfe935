using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// `licence add -` reads the keys from stdin: over SSH (no sftp, no file on the box) that is how an
/// administrator pastes keys. A file argument is read by the daemon itself.
/// </summary>
internal static class LicenceInput
{
    public static JsonNode FileOrStdin(string text) => text == "-" ? JsonValue.Create("-") : ArgConverters.ExistingFile(text);

    public static Task<JsonObject?> PrepareAsync(CommandContext context, JsonObject args, CancellationToken ct)
    {
        if (args["file"]?.GetValue<string>() != "-") return Task.FromResult<JsonObject?>(args);
        var keys = context.Host.In.ReadToEnd().Trim();
        if (keys.Length == 0) throw new UsageException("no licence key on stdin; nothing was done", "licence");
        args.Remove("file");
        args["key"] = keys;
        return Task.FromResult<JsonObject?>(args);
    }
}
