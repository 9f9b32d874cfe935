using System.Net;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// Admission to the handshake (TLS and key proof) of one listener. Until the key proof, a
/// connection is nobody's, so stalled ones must not starve the peers: each source address may
/// hold at most <see cref="TransportOptions.MaxPendingHandshakesPerAddress"/> slots, unlisted
/// addresses share <see cref="TransportOptions.MaxPendingHandshakes"/>, and a listed peer draws
/// only on its own per-address slots. So strangers, from however many addresses, never keep a
/// listed peer out; a stranger from one address takes a few slots of the shared ones, not all.
/// </summary>
internal sealed class HandshakeSlots(int shared, int perAddress, Func<IPAddress, bool> isListedPeer)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _byAddress = [];
    private int _unlisted;

    /// <summary>A slot taken; disposing it (once the handshake ended, either way) gives it back.</summary>
    public sealed class Slot : IDisposable
    {
        private readonly HandshakeSlots _owner;
        private readonly IPAddress _address;
        private int _released;

        internal Slot(HandshakeSlots owner, IPAddress address, bool listed) => (_owner, _address, Listed) = (owner, address, listed);

        /// <summary>Taken for a listed peer's address (as the list was when it was taken).</summary>
        public bool Listed { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                _owner.Release(_address, Listed);
        }
    }

    /// <summary>A slot for a connection from <paramref name="address"/>, or null and why not.</summary>
    public Slot? TryTake(IPAddress? address, out string? refusal)
    {
        if (address is null)
        {
            refusal = "no remote address";
            return null;
        }
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        // Asked before taking the lock: the list is the cluster's, read live so a peer added a
        // moment ago is reserved for at once. The answer is kept in the slot, so the release undoes
        // exactly what this take did even if the list changes meanwhile.
        var listed = isListedPeer(address);
        lock (_gate)
        {
            var fromAddress = _byAddress.GetValueOrDefault(address);
            if (fromAddress >= perAddress)
            {
                refusal = $"{fromAddress} connections already in handshake from this address";
                return null;
            }
            if (!listed && _unlisted >= shared)
            {
                refusal = $"{_unlisted} connections already in handshake from unlisted addresses";
                return null;
            }
            _byAddress[address] = fromAddress + 1;
            if (!listed) _unlisted++;
        }
        refusal = null;
        return new Slot(this, address, listed);
    }

    private void Release(IPAddress address, bool listed)
    {
        lock (_gate)
        {
            var left = _byAddress[address] - 1;
            if (left == 0) _byAddress.Remove(address);
            else _byAddress[address] = left;
            if (!listed) _unlisted--;
        }
    }
}
