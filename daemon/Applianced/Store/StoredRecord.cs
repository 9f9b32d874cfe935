namespace Appliance.Daemon.Store;

/// <summary>
/// One replicated record: a section value (singleton sections use an empty key) or one item of a
/// collection section. Value is canonical JSON; null marks a tombstone.
/// </summary>
public sealed record StoredRecord(string Scope, string Section, string Key, string? Value, RecordVersion Version)
{
    public string Id => MakeId(Scope, Section, Key);
    public bool Deleted => Value is null;

    public static string MakeId(string scope, string section, string key) => $"{scope}/{section}/{key}";
}

/// <summary>A change asked of the store: Value null deletes (leaves a tombstone).</summary>
public sealed record Mutation(string Scope, string Section, string Key, string? Value)
{
    /// <summary>Written even when the store holds the same value: a new version that wins over a newer delete elsewhere (Store.Owner.cs).</summary>
    public bool Again { get; init; }
}

/// <summary>
/// One entry of the operation log. Prev is the version the writer saw before writing, so a peer can
/// tell a concurrent overwrite (a conflict worth logging) from an ordinary sequential one.
/// </summary>
public sealed record Operation(string Origin, long Seq, StoredRecord Record, RecordVersion Prev);

/// <summary>A record that lost a last-writer-wins race, for the configuration log.</summary>
public sealed record Conflict(StoredRecord Winner, StoredRecord Loser);

/// <summary>What one commit changed; Origin is the peer whose ops these are applied from ("" for local writes).</summary>
public sealed record CommitInfo(IReadOnlyList<Operation> Operations, IReadOnlyList<StoredRecord> Changed,
    IReadOnlyList<Conflict> Conflicts, bool Remote);
