using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// `licence add FILE|-` and `ssh-keys add [NAME] FILE|-`: the CLI reads lines of text from a local
/// file or from stdin (over SSH that is how an administrator pastes them) and sends the text; the
/// daemon opens no file.
/// </summary>
internal static class TextInput
{
    /// <summary>As the daemon's own limit: a licence file holds a few keys of a few hundred characters.</summary>
    public const int MaxBytes = 64 * 1024;

    public static Task<JsonObject?> PrepareAsync(CommandContext context, JsonObject args, CancellationToken ct) =>
        Task.FromResult<JsonObject?>(Read(context, args, "key", "licence", "a licence file is a few keys, one a line", "licence key"));

    /// <summary>The same for SSH public keys (authorized_keys form).</summary>
    public static Task<JsonObject?> PrepareSshKeysAsync(CommandContext context, JsonObject args, CancellationToken ct) =>
        Task.FromResult<JsonObject?>(Read(context, args, "keys", "ssh-keys", "give a few OpenSSH public keys, one a line", "SSH public key"));

    /// <summary>Replaces args.file with the text read into args[<paramref name="into"/>].</summary>
    private static JsonObject Read(CommandContext context, JsonObject args, string into, string group, string hint, string what)
    {
        var file = args["file"]!.GetValue<string>();
        args.Remove("file");
        string text;
        if (file == Transfers.StdStream)
        {
            var buffer = new char[MaxBytes + 1];
            var n = context.Host.In.ReadBlock(buffer, 0, buffer.Length);
            if (n > MaxBytes)
                throw new UsageException($"more than {MaxBytes / 1024} KiB on stdin; {hint}; nothing was done", group);
            text = new string(buffer, 0, n);
        }
        else
        {
            text = LocalFile.ReadText(file, MaxBytes, group);
        }
        if (text.Trim().Length == 0)
            throw new UsageException(file == Transfers.StdStream ? $"no {what} on stdin; nothing was done" : $"{file} holds no {what}; nothing was done", group);
        args[into] = text;
        return args;
    }
}
