using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// Small texts a command uploads (licence keys, PEM certificates): read here from a local file or,
/// with '-', from stdin (over SSH that is how an administrator pastes or pipes them); the daemon
/// opens no file. The cap is enforced while reading, and an empty text is refused before any call.
/// </summary>
internal static class TextInput
{
    /// <summary>The daemon's own limit for each of them (a licence file, a PEM bundle with its chain).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// A Prepare that replaces the "file" argument (FILE or '-') by the text under <paramref name="arg"/>:
    /// `licence add FILE|-` sends "key", `certificates add-ca NAME FILE|-` sends "pem".
    /// </summary>
    public static Func<CommandContext, JsonObject, CancellationToken, Task<JsonObject?>> Into(string arg, string group, string what) =>
        (context, args, _) =>
        {
            var file = args["file"]!.GetValue<string>();
            args.Remove("file");
            args[arg] = Read(context, file, MaxBytes, group, what);
            return Task.FromResult<JsonObject?>(args);
        };

    /// <summary>The text of FILE or of stdin; <paramref name="what"/> names it in errors ("licence key").</summary>
    public static string Read(CommandContext context, string file, int maxBytes, string group, string what)
    {
        string text;
        if (file == Transfers.StdStream)
        {
            var buffer = new char[maxBytes + 1];
            var n = context.Host.In.ReadBlock(buffer, 0, buffer.Length);
            if (n > maxBytes)
                throw new UsageException($"more than {maxBytes / 1024} KiB on stdin; nothing was done", group);
            text = new string(buffer, 0, n);
        }
        else
        {
            text = LocalFile.ReadText(file, maxBytes, group);
        }
        if (text.Trim().Length == 0)
            throw new UsageException(file == Transfers.StdStream ? $"no {what} on stdin; nothing was done" : $"{file} holds no {what}; nothing was done", group);
        return text;
    }
}
