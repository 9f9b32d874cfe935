namespace Appliance.Daemon.Store;

/// <summary>
/// One replicated record: a section value (singleton sections use an empty key) or one item of a
/// collection section. Value is canonical JSON; null marks a tombstone.
/// </summary>
public sealed record StoredRecord(string Scope, string Section, string Key, string? Value, RecordVersion Version)
{
    // The id is made once: the store, its index and the flush ask for it many times per record, and
    // each "scope/section/key" made anew was an allocation on every one of those paths (issue 19).
    // A `with` that changes a part makes it again.
    public string Scope { get; init { field = value; Id = MakeId(value, Section, Key); } } = Scope;
    public string Section { get; init { field = value; Id = MakeId(Scope, value, Key); } } = Section;
    public string Key { get; init { field = value; Id = MakeId(Scope, Section, value); } } = Key;
    public string Id { get; private set; } = MakeId(Scope, Section, Key);
    public bool Deleted => Value is null;

    public static string MakeId(string scope, string section, string key) => $"{scope}/{section}/{key}";
}

/// <summary>A change asked of the store: Value null deletes (leaves a tombstone).</summary>
public sealed record Mutation(string Scope, string Section, string Key, string? Value)
{
    /// <summary>
    /// Refused (<see cref="RecordExistsException"/>, with the rest of its write) when the record holds
    /// a value: checked in the commit itself, so two concurrent adds of one name cannot both succeed,
    /// and the caller needs no query of its own first.
    /// </summary>
    public bool MustBeNew { get; init; }
}

/// <summary>A write refused because a record it had to create already holds a value; nothing of that write was stored.</summary>
public sealed class RecordExistsException(Mutation mutation)
    : InvalidOperationException($"record {StoredRecord.MakeId(mutation.Scope, mutation.Section, mutation.Key)} already exists")
{
    public Mutation Mutation { get; } = mutation;
}

/// <summary>
/// One entry of the operation log. Prev is the version the writer saw before writing, so a peer can
/// tell a concurrent overwrite (a conflict worth logging) from an ordinary sequential one.
/// </summary>
public sealed record Operation(string Origin, long Seq, StoredRecord Record, RecordVersion Prev);

/// <summary>A record that lost a last-writer-wins race, for the configuration log.</summary>
public sealed record Conflict(StoredRecord Winner, StoredRecord Loser);

/// <summary>
/// What one commit changed; Remote when applied from other peers. Reset when the store also dropped
/// records it does not list (a join replaced the shared ones): whatever a reader kept of them is stale.
/// </summary>
public sealed record CommitInfo(IReadOnlyList<Operation> Operations, IReadOnlyList<StoredRecord> Changed,
    IReadOnlyList<Conflict> Conflicts, bool Remote, bool Reset = false);
