using System.Collections.Concurrent;
using Appliance.Tests.Harness;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// The writes the API acknowledged, and the values each record may end with: a record written
/// once must hold that value; a record written concurrently on both sides of a partition may hold
/// either side's value (last writer wins), but the same one everywhere. A write whose call failed
/// (peer killed mid-call) is not acknowledged: it may or may not exist, and nothing is asserted.
/// </summary>
internal sealed class AckLedger
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _allowed = new(StringComparer.Ordinal);
    private int _failed;

    public int Acknowledged => _allowed.Count;
    public int Failed => Volatile.Read(ref _failed);

    public void Acked(string name, int participants) =>
        _allowed.GetOrAdd(name, _ => []).Add(participants.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Adds a conference through <paramref name="peer"/>'s API; true and recorded when acknowledged.</summary>
    public async Task<bool> AddAsync(PeerProcess peer, string name, int participants)
    {
        try
        {
            await TestCluster.AddConferenceAsync(peer, name, participants).WaitAsync(TimeSpan.FromSeconds(20));
            Acked(name, participants);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _failed);
            return false;
        }
    }

    /// <summary>What is lost or wrong in <paramref name="held"/>; empty when every acknowledged write survived.</summary>
    public IReadOnlyList<string> Problems(IReadOnlyDictionary<string, string> held)
    {
        var problems = new List<string>();
        foreach (var (name, values) in _allowed.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!held.TryGetValue(name, out var value)) problems.Add($"{name}: acknowledged but missing");
            else if (!values.Contains(value)) problems.Add($"{name}: holds {value}, acknowledged {string.Join(" or ", values.Distinct())}");
        }
        return problems;
    }

    public void AssertSurvived(IReadOnlyDictionary<string, string> held)
    {
        var problems = Problems(held);
        Assert.True(problems.Count == 0, $"{problems.Count} of {Acknowledged} acknowledged writes lost or wrong:\n{string.Join('\n', problems.Take(50))}");
    }
}
