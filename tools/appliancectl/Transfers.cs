using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// Commands that move files between this side and the appliance (PROTOCOL.md, "Uploads" and
/// "Downloads"): the CLI reads a local file or stdin and writes a local file or stdout, with its
/// own permissions; the daemon is never given a path.
/// </summary>
internal static class Transfers
{
    public const string StdStream = "-";

    /// <summary>The first word of a signature line (PackageSignature.Algorithm in the daemon).</summary>
    private const string SignatureAlgorithm = "ECDSA-P256-SHA256";

    /// <summary>backup create [--out FILE|-]: writes the backup on the appliance, then copies it here when asked.</summary>
    public static async Task<int> BackupCreateAsync(CommandContext c, JsonObject args, CancellationToken ct)
    {
        var output = Take(args, "out");
        var toStdout = output == StdStream;
        var results = toStdout ? new Output(new CliHost(c.Host.In, c.Host.Err, c.Host.Err), c.Output.Json) : c.Output;
        var progress = Progress.For(c, "backup", streams: toStdout);
        try
        {
            var created = await c.Client.CallAsync("backup.create", args, ct, progress);
            if (created.Error is not null || output is null)
                return Show(results, created, progress);
            var name = created.Result!["name"]!.GetValue<string>();
            var code = await DownloadAsync(c, name, output, results, progress, ct);
            return code == ExitCodes.Ok ? Show(results, created, progress) : code;
        }
        finally
        {
            progress.End();
        }
    }

    /// <summary>backup download NAME FILE|-.</summary>
    public static Task<int> BackupDownloadAsync(CommandContext c, JsonObject args, CancellationToken ct)
    {
        var output = Take(args, "out")!;
        var results = output == StdStream ? new Output(new CliHost(c.Host.In, c.Host.Err, c.Host.Err), c.Output.Json) : c.Output;
        var progress = Progress.For(c, "download", streams: output == StdStream);
        return DownloadAsync(c, args["name"]!.GetValue<string>(), output, results, progress, ct, showResult: true);
    }

    /// <summary>backup restore NAME|FILE|-: a name the appliance lists is restored there; a file or stdin is uploaded.</summary>
    public static async Task<int> BackupRestoreAsync(CommandContext c, JsonObject args, CancellationToken ct)
    {
        var source = Take(args, "source")!;
        var progress = Progress.For(c, "restore", streams: source == StdStream);
        try
        {
            if (IsBackupName(source))
            {
                args["name"] = source;
                return Show(c.Output, await c.Client.CallAsync("backup.restore", args, ct, progress), progress);
            }
            await using var input = OpenSource(c, source, "backup");
            return Show(c.Output, await c.Client.UploadAsync("backup.restore", args, input, What(source, "the backup"), ct, progress), progress);
        }
        finally
        {
            progress.End();
        }
    }

    /// <summary>upgrade FILE|- [--signature SIG]: the package is uploaded with its signature line.</summary>
    public static async Task<int> UpgradeAsync(CommandContext c, JsonObject args, CancellationToken ct)
    {
        var package = Take(args, "package")!;
        var signatureFile = Take(args, "signature") ?? (package == StdStream
            ? throw new UsageException("with the package on stdin, name its signature file with --signature SIG", "upgrade")
            : package + ".sig");
        await using var input = OpenSource(c, package, "upgrade");
        args["signature"] = ReadSignature(signatureFile);
        var progress = Progress.For(c, "upgrade", streams: package == StdStream);
        try
        {
            return Show(c.Output, await c.Client.UploadAsync("upgrade.install", args, input, What(package, "the package"), ct, progress), progress);
        }
        finally
        {
            progress.End();
        }
    }

    private static async Task<int> DownloadAsync(CommandContext c, string name, string output, Output results, Progress progress, CancellationToken ct,
        bool showResult = false)
    {
        if (output == StdStream && c.Host.OutputIsTerminal)
            throw new UsageException("a backup is binary: send it to a file (`--out FILE`) or redirect stdout (`> FILE`)", "backup");
        var (target, partial) = output == StdStream ? (null, null) : LocalFile.CheckNew(output);
        Stream? destination = null;
        try
        {
            var response = await c.Client.DownloadAsync("backup.download", new JsonObject { ["name"] = name },
                () => destination = partial is null ? c.Host.BinaryOut() : LocalFile.CreatePrivate(partial), ct, progress);
            progress.End();
            if (response.Error is { } error)
                return results.Error(error);
            if (destination is not null && partial is not null)
            {
                await destination.DisposeAsync();
                destination = null;
                File.Move(partial, target!);
            }
            if (showResult)
                results.Result(response.Result!);
            return ExitCodes.Ok;
        }
        finally
        {
            progress.End();
            if (partial is not null)
            {
                if (destination is not null) await destination.DisposeAsync();
                File.Delete(partial);
            }
        }
    }

    private static Stream OpenSource(CommandContext c, string source, string group)
    {
        if (source != StdStream)
            return LocalFile.OpenRead(source, group);
        if (c.Host.Terminal is not null)
            throw new UsageException("'-' reads the data from stdin, which is this terminal: give a FILE, or run it as `ssh admin@appliance ... - < FILE`", group);
        return c.Host.BinaryIn();
    }

    /// <summary>The signature line: a .sig file's content, or the line itself (over SSH the file is on the other side).</summary>
    private static string ReadSignature(string path)
    {
        if (path.StartsWith(SignatureAlgorithm + " ", StringComparison.Ordinal))
            return path.Trim();
        var text = LocalFile.ReadText(path, 1024, "upgrade");
        if (text.Trim().Length == 0)
            throw new UsageException($"the signature file {path} is empty", "upgrade");
        return text.Trim();
    }

    /// <summary>A backup name as `backup list` shows it (no directory): restored where it is, not uploaded.</summary>
    private static bool IsBackupName(string s) =>
        !s.Contains('/') && (s.EndsWith("_backup.tar.gz", StringComparison.Ordinal) || s.EndsWith("_backup.tar.gz.enc", StringComparison.Ordinal))
        && !File.Exists(s);

    private static string What(string source, string kind) => source == StdStream ? $"{kind} on stdin" : $"{kind} {source}";

    private static string? Take(JsonObject args, string name)
    {
        var value = args[name]?.GetValue<string>();
        args.Remove(name);
        return value;
    }

    /// <summary>The answer, after the progress line ends.</summary>
    private static int Show(Output output, ApiResponse response, Progress progress)
    {
        progress.End();
        if (response.Error is { } error)
            return output.Error(error);
        output.Result(response.Result!);
        return ExitCodes.Ok;
    }
}
