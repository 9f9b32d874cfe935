namespace Appliance.Ctl;

/// <summary>
/// Keeps secrets out of the shell's history, in memory (up-arrow) and in ~/.appliancectl_history: a
/// line that names a secret field, in any form and whether it was refused or not, is never added,
/// and such lines that an older appliancectl kept are removed when the shell starts. Also the
/// session's copy of `config.sections`, shared with tab completion.
/// </summary>
internal sealed class HistoryFilter(CommandRunner runner)
{
    private SectionCatalog? _last;

    /// <summary>The catalog for completion: the last real answer, asked for when there is none yet.</summary>
    public async Task<SectionCatalog?> CachedAsync(CancellationToken ct) => _last ?? await FreshAsync(ct);

    /// <summary>Asked again for each line, so that a daemon upgraded during the session is followed;
    /// the last answer when the daemon does not answer now; null when it never did.</summary>
    private async Task<SectionCatalog?> FreshAsync(CancellationToken ct)
    {
        if (SectionCatalog.From(await runner.TryCallAsync("config.sections", ct)) is { } catalog)
            _last = catalog;
        return _last;
    }

    /// <summary>Whether the line may go into the history.</summary>
    public async Task<bool> MayKeepAsync(IReadOnlyList<string> words, CancellationToken ct) =>
        await FreshAsync(ct) is { } catalog && !NamesSecret(words, catalog);

    /// <summary>Removes stored lines that name a secret. Only with the daemon's answer: without it every
    /// line would count as secret, and the whole history would go.</summary>
    public async Task ScrubAsync(History history, CancellationToken ct)
    {
        if (await FreshAsync(ct) is { } catalog)
            history.Forget(line => !TrySplit(line, out var words) || NamesSecret(words, catalog));
    }

    /// <summary>
    /// A secret field named anywhere on the line: as a path (root.password, bridges.b1.password, also
    /// with =VALUE glued on), as FIELD or FIELD=... beside a section that has it (config add bridges b1
    /// password=...), or `cluster set-key`. Deliberately wider than what the commands accept, because a
    /// refused or mistyped line may hold the secret too.
    /// </summary>
    internal static bool NamesSecret(IReadOnlyList<string> words, SectionCatalog catalog)
    {
        if (words.Zip(words.Skip(1)).Any(p => p is ("cluster", "set-key")))
            return true;
        if (words.Any(w => catalog.SecretPath(w) is not null))
            return true;
        var fields = words.Select(catalog.Find).OfType<SectionInfo>().SelectMany(s => s.Secrets).ToList();
        return words.Any(w => fields.Any(f => w.Split('=', 2)[0].Equals(f, StringComparison.OrdinalIgnoreCase)));
    }

    private static bool TrySplit(string line, out List<string> words)
    {
        try
        {
            words = Tokenizer.Split(line);
            return true;
        }
        catch (UsageException)
        {
            words = [];
            return false;
        }
    }
}
