namespace Appliance.Hal;

/// <summary>The firewall through <c>nft</c>: the script is passed as a file so nft applies it as one transaction.</summary>
public sealed class LinuxFirewall : IFirewall
{
    private readonly string? _networkNamespace;
    private readonly string _scriptPath;

    /// <summary>Creates the firewall.</summary>
    /// <param name="scriptPath">Where the last applied nft script is written (kept for inspection and for boot-time loading).</param>
    /// <param name="networkNamespace">A namespace name (<c>ip netns add</c>) to work in, or null for the machine's own.</param>
    public LinuxFirewall(string scriptPath, string? networkNamespace = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(scriptPath);
        NetworkNamespace.Validate(networkNamespace);
        _scriptPath = scriptPath;
        _networkNamespace = networkNamespace;
    }

    /// <inheritdoc />
    public async Task ApplyAsync(FirewallRuleset ruleset, CancellationToken cancellationToken = default)
    {
        var script = NftRenderer.Render(ruleset);
        // Check first so a bad script never leaves the last good file overwritten.
        var tmp = _scriptPath + ".check";
        await AtomicFile.WriteAsync(tmp, script, cancellationToken).ConfigureAwait(false);
        try
        {
            await Nft(cancellationToken, "-c", "-f", tmp).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(tmp);
        }
        await AtomicFile.WriteAsync(_scriptPath, script, cancellationToken).ConfigureAwait(false);
        await Nft(cancellationToken, "-f", _scriptPath).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<FirewallState?> ReadBackAsync(CancellationToken cancellationToken = default)
    {
        var (file, args) = NetworkNamespace.Wrap(_networkNamespace, "nft", "-j", "list", "table", NftRenderer.Family, NftRenderer.Table);
        var r = await ProcessRunner.RunAsync(file, args, cancellationToken).ConfigureAwait(false);
        // An absent table is a normal answer (never applied, or removed), not an error.
        if (r.ExitCode != 0 && r.StandardError.Contains("No such file or directory", StringComparison.Ordinal))
            return null;
        if (r.ExitCode != 0)
            throw new HostCommandException($"'{ProcessRunner.Describe(file, args)}' failed with exit code {r.ExitCode}: {r.StandardError.Trim()}");
        return NftJsonReader.Parse(r.StandardOutput);
    }

    /// <inheritdoc />
    public Task RemoveAsync(CancellationToken cancellationToken = default) =>
        NftWithInput(cancellationToken, NftRenderer.RenderRemove(), "-f", "-");

    private Task<string> Nft(CancellationToken ct, params string[] args) => NftWithInput(ct, null, args);

    private Task<string> NftWithInput(CancellationToken ct, string? stdin, params string[] args)
    {
        var (file, list) = NetworkNamespace.Wrap(_networkNamespace, "nft", args);
        return ProcessRunner.RunCheckedAsync(file, list, ct, stdin);
    }
}
