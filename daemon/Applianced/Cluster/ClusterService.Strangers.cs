using System.Net;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Stale lists seen from the listed side (R5, the guide's Task 1 step 2): peers dial only the
/// addresses in their own peer list, so a peer this one does not list that dials it (and speaks
/// our protocol far enough to say so) names this peer in its list. It is remembered for a while
/// after each attempt, raises an alarm here naming its address, and fails `cluster check`.
/// </summary>
public sealed partial class ClusterService
{
    /// <summary>A stranger redials every half second while its list names us; this long after its last try it is forgotten.</summary>
    internal static readonly TimeSpan StrangerMemory = TimeSpan.FromSeconds(15);

    /// <summary>At most this many strangers are remembered (anyone can start a TLS handshake): the oldest goes first.</summary>
    private const int MaxStrangers = 16;

    private readonly Dictionary<string, Stranger> _strangers = new(StringComparer.Ordinal);

    /// <summary>A peer not in this peer's list whose own list names this peer.</summary>
    public sealed record Stranger(string Address, string Detail, DateTimeOffset LastSeen);

    /// <summary>An unlisted peer passed the key proof and sent its Hello (with its peer list).</summary>
    internal void StrangerDialed(IPAddress address, HelloMessage hello)
    {
        var host = TextRules.Escape(hello.HostName.Length > 64 ? hello.HostName[..64] : hello.HostName);
        var list = string.Join(" ", hello.Addresses.Take(3).Select(TextRules.Escape));
        Remember(address, $"{host} lists {list}");
    }

    /// <summary>An unlisted peer dialed us and its key proof was refused: it still lists this peer.</summary>
    private void StrangerRefused(IPAddress address, Exception refusal)
    {
        if (IsListedPeer(address)) return; // a listed peer's refusal shows on its link
        Remember(address, refusal is KeyMismatchException ? "it holds another cluster key" : "it belongs to another cluster");
    }

    private void Remember(IPAddress address, string detail)
    {
        var text = address.ToString();
        lock (_gate)
        {
            if (!_strangers.ContainsKey(text) && _strangers.Count >= MaxStrangers)
                _strangers.Remove(_strangers.Values.MinBy(s => s.LastSeen)!.Address);
            _strangers[text] = new Stranger(text, detail, Time.GetUtcNow());
        }
    }

    /// <summary>The unlisted peers that dialed this one within <see cref="StrangerMemory"/>, by address.</summary>
    public IReadOnlyList<Stranger> Strangers()
    {
        var now = Time.GetUtcNow();
        lock (_gate)
        {
            foreach (var old in _strangers.Values.Where(s => now - s.LastSeen > StrangerMemory || IsListedPeer(IPAddress.Parse(s.Address))).ToList())
                _strangers.Remove(old.Address);
            return _strangers.Values.OrderBy(s => s.Address, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>What to do about a stranger, for its alarm and `cluster check`.</summary>
    public static string StrangerText(Stranger s) =>
        $"peer {s.Address} lists this peer's address but this peer does not list it ({s.Detail}): " +
        $"remove this peer's address from the list on {s.Address} (cluster set-peers, or cluster leave there)";
}
