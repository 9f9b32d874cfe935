namespace Appliance.Tests.Harness;

public sealed partial class TestNetwork
{
    /// <summary>
    /// Deletes namespaces that an earlier, killed test process left behind: names start with
    /// <see cref="Prefix"/> and the creating process id; a namespace whose creator is still alive
    /// belongs to a parallel run and is left alone.
    /// </summary>
    public static async Task RemoveLeftoversAsync(Action<string>? log = null)
    {
        var list = await HostCommand.TryRunAsync("ip", ["netns", "list"]).ConfigureAwait(false);
        foreach (var line in list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ns = line.Split(' ')[0];
            if (!ns.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            var digits = new string(ns[Prefix.Length..].TakeWhile(char.IsAsciiDigit).ToArray());
            if (!int.TryParse(digits, out var pid) || Directory.Exists($"/proc/{pid}")) continue;
            await DeleteNamespaceAsync(ns, log ?? (_ => { })).ConfigureAwait(false);
            log?.Invoke($"network: removed leftover namespace {ns}");
        }
    }

    private static async Task DeleteNamespaceAsync(string ns, Action<string> log)
    {
        var pids = await HostCommand.TryRunAsync("ip", ["netns", "pids", ns]).ConfigureAwait(false);
        foreach (var p in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(p, out var pid)) continue;
            log($"network: killing leftover process {pid} in {ns}");
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        var deleted = await HostCommand.TryRunAsync("ip", ["netns", "del", ns]).ConfigureAwait(false);
        if (deleted.ExitCode != 0) log($"network: deleting {ns} failed: {deleted.Stderr.Trim()}");
    }
}
