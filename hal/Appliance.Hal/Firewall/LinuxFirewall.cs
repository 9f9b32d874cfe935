namespace Appliance.Hal;

/// <summary>The firewall through <c>nft</c>: the script is passed as a file so nft applies it as one transaction.</summary>
public sealed class LinuxFirewall : IFirewall
{
    private readonly string? _networkNamespace;
    private readonly string _scriptPath;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the firewall.</summary>
    /// <param name="scriptPath">Where the active nft script is kept (for inspection and for loading at boot); its directory must exist or be creatable.</param>
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
        // Load from a temp file and keep it under the final name only once nft accepted it, so
        // the file on disk is always the rule set that is active (a failed transaction changes nothing).
        var tmp = _scriptPath + ".new";
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AtomicFile.WriteAsync(tmp, script, cancellationToken).ConfigureAwait(false);
            await Nft(cancellationToken, "-f", tmp).ConfigureAwait(false);
            File.Move(tmp, _scriptPath, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
            _gate.Release();
        }
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
    public async Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await NftWithInput(cancellationToken, NftRenderer.RenderRemove(), "-f", "-").ConfigureAwait(false);
            File.Delete(_scriptPath);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task<string> Nft(CancellationToken ct, params string[] args) => NftWithInput(ct, null, args);

    private Task<string> NftWithInput(CancellationToken ct, string? stdin, params string[] args)
    {
        var (file, list) = NetworkNamespace.Wrap(_networkNamespace, "nft", args);
        return ProcessRunner.RunCheckedAsync(file, list, ct, stdin);
    }
}
