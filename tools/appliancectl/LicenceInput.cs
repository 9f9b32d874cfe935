using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// `licence add FILE|-`: the CLI reads the keys from a local file or from stdin (over SSH that is how
/// an administrator pastes them) and sends their text; the daemon opens no file.
/// </summary>
internal static class LicenceInput
{
    /// <summary>As the daemon's own limit: a licence file holds a few keys of a few hundred characters.</summary>
    public const int MaxBytes = 64 * 1024;

    public static Task<JsonObject?> PrepareAsync(CommandContext context, JsonObject args, CancellationToken ct)
    {
        var file = args["file"]!.GetValue<string>();
        args.Remove("file");
        string keys;
        if (file == Transfers.StdStream)
        {
            var buffer = new char[MaxBytes + 1];
            var n = context.Host.In.ReadBlock(buffer, 0, buffer.Length);
            if (n > MaxBytes)
                throw new UsageException($"more than {MaxBytes / 1024} KiB on stdin; a licence file is a few keys, one a line; nothing was done", "licence");
            keys = new string(buffer, 0, n);
        }
        else
        {
            keys = LocalFile.ReadText(file, MaxBytes, "licence");
        }
        if (keys.Trim().Length == 0)
            throw new UsageException(file == Transfers.StdStream ? "no licence key on stdin; nothing was done" : $"{file} holds no licence key; nothing was done", "licence");
        args["key"] = keys;
        return Task.FromResult<JsonObject?>(args);
    }
}
