using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>The backup password for `backup create|restore`: the first line of --password-file F or of
/// stdin (--password-stdin); never from argv. It travels to the daemon over the local socket only.</summary>
internal static class BackupPassword
{
    public static Task<JsonObject?> PrepareAsync(CommandContext context, JsonObject args, CancellationToken ct)
    {
        var file = args["passwordFile"]?.GetValue<string>();
        var stdin = args["passwordStdin"]?.GetValue<bool>() == true;
        args.Remove("passwordFile");
        args.Remove("passwordStdin");
        if (file is not null && stdin)
            throw new UsageException("give --password-file F or --password-stdin, not both", "backup");
        if (stdin && args["source"]?.GetValue<string>() == Transfers.StdStream)
            throw new UsageException("the backup and its password cannot both come from stdin; give the password with --password-file F", "backup");
        string? password = null;
        if (file is not null)
        {
            try { password = File.ReadLines(file).FirstOrDefault(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the password file {file}: {e.Message}", "backup");
            }
            if (string.IsNullOrEmpty(password))
                throw new UsageException($"the password file {file} is empty; nothing was done", "backup");
        }
        else if (stdin)
        {
            password = context.Host.In.ReadLine();
            if (string.IsNullOrEmpty(password))
                throw new UsageException("no password on stdin; nothing was done", "backup");
        }
        if (password is not null)
            args["password"] = password;
        return Task.FromResult<JsonObject?>(args);
    }
}
