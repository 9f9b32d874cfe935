using Appliance.Daemon.Store;
using CsCheck;

namespace Appliance.Tests.Persistence;

/// <summary>
/// A generated history for the last-writer-wins property: each origin's log of writes and deletes
/// to a few shared records, with HLCs that tie across origins, and for each receiving store its
/// own delivery of those logs (batches in any order, some lost, some duplicated, some applied
/// together) followed by a repair (a recovery pull or a re-delivery from what it acknowledged).
/// </summary>
public sealed record LwwScenario(IReadOnlyList<Operation> Ops, IReadOnlyList<Delivery> Deliveries)
{
    public const int Stores = 3;
    public const string Scope = Scopes.Cluster;
    public const string Section = "bridges";
    /// <summary>An HLC near now (ms in the top 48 bits) so the stores' clocks observe it as they would a peer's.</summary>
    private const long BaseHlc = 1_800_000_000_000L << 16;

    public IEnumerable<string> Origins => Ops.Select(o => o.Origin).Distinct();

    /// <summary>The record each id ends with: the op with the highest (HLC, origin).</summary>
    public IReadOnlyDictionary<string, StoredRecord> Expected() => Ops
        .GroupBy(o => o.Record.Id)
        .ToDictionary(g => g.Key, g => g.MaxBy(o => o.Record.Version)!.Record);

    /// <summary>One origin's writes: (key, value or 0 for a delete, HLC step 1-2 after its previous write).</summary>
    private static readonly Gen<(int Key, int Value, int Step)[]> Log =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3], Gen.Int[1, 2]).Array[1, 6];

    public static readonly Gen<LwwScenario> Generator =
        CsCheck.Gen.Int[2, 3].SelectMany(origins => Log.Array[origins]).SelectMany(logs =>
        {
            var ops = Build(logs);
            var batches = Batches(ops);
            var delivery = Delivery.Gen(batches);
            return delivery.Array[Stores].Select(d => new LwwScenario(ops, d));
        });

    private static List<Operation> Build((int Key, int Value, int Step)[][] logs)
    {
        var ops = new List<Operation>();
        for (var o = 0; o < logs.Length; o++)
        {
            // Origin names order the ties: peer-a < peer-b < peer-c.
            var origin = $"peer-{(char)('a' + o)}";
            var hlc = BaseHlc;
            var seen = new Dictionary<string, RecordVersion>();
            for (var i = 0; i < logs[o].Length; i++)
            {
                var (key, value, step) = logs[o][i];
                hlc += step; // every origin counts from the same base: equal HLCs across origins are common
                var record = new StoredRecord(Scope, Section, $"k{key}", value == 0 ? null : $"{{\"v\":\"{origin}-{value}\"}}",
                    new RecordVersion(hlc, origin));
                ops.Add(new Operation(origin, i + 1, record, seen.GetValueOrDefault(record.Id, RecordVersion.None)));
                seen[record.Id] = record.Version;
            }
        }
        return ops;
    }

    /// <summary>Each origin's log cut into batches of 1-2 ops, as a sender's stream would carry them.</summary>
    private static List<Batch> Batches(List<Operation> ops) => ops
        .GroupBy(o => o.Origin)
        .SelectMany(g => g.Chunk(2).Select(c => new Batch(c, new OpRange(g.Key, c[0].Seq - 1, c[^1].Seq))))
        .ToList();

    public override string ToString() =>
        string.Join(" ", Ops.Select(o => $"{o.Origin}#{o.Seq}:{o.Record.Key}={(o.Record.Value is null ? "del" : o.Record.Value[6..^2])}@{o.Record.Version.Hlc - BaseHlc}")) +
        " | " + string.Join(" | ", Deliveries);
}

public sealed record Batch(IReadOnlyList<Operation> Ops, OpRange Range)
{
    public override string ToString() => $"{Range.Origin}({Range.After},{Range.Through}]";
}

/// <summary>
/// What one store receives: groups of batches applied in one transaction each, maybe a recovery pull
/// from the peer set up before it (which may itself have lost ops), then a repair from the source.
/// </summary>
public sealed record Delivery(IReadOnlyList<Batch[]> Groups, bool PullFromNeighbour, bool RepairByRecovery)
{
    /// <summary>Each batch lost (1 in 6), delivered once, or twice (1 in 6); all copies shuffled, neighbours sometimes grouped.</summary>
    public static Gen<Delivery> Gen(IReadOnlyList<Batch> batches) =>
        CsCheck.Gen.Int[0, 5].Array[batches.Count]
            .Select(fates => batches.SelectMany((b, i) => Enumerable.Repeat(b, fates[i] switch { 0 => 0, 1 => 2, _ => 1 })).ToArray())
            .SelectMany(copies => CsCheck.Gen.Shuffle(copies))
            .SelectMany(order => CsCheck.Gen.Select(CsCheck.Gen.Bool.Array[order.Length], CsCheck.Gen.Bool, CsCheck.Gen.Bool,
                (join, neighbour, recovery) => new Delivery(Group(order, join), neighbour, recovery)));

    private static List<Batch[]> Group(Batch[] order, bool[] joinPrevious)
    {
        var groups = new List<List<Batch>>();
        for (var i = 0; i < order.Length; i++)
        {
            if (i > 0 && joinPrevious[i]) groups[^1].Add(order[i]);
            else groups.Add([order[i]]);
        }
        return groups.Select(g => g.ToArray()).ToList();
    }

    public override string ToString() =>
        string.Join(" ", Groups.Select(g => string.Join("+", g.AsEnumerable()))) + (PullFromNeighbour ? " then pull from the previous peer" : "") +
        (RepairByRecovery ? " then pull" : " then resend");
}
