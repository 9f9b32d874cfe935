using System.Net;
using System.Net.Sockets;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class SipTrunk
{
    /// <summary>TLS listeners on exactly <paramref name="addresses"/>; returns the addresses that could not be bound, with why.</summary>
    private async Task<List<string>> ListenTlsAsync(IReadOnlyCollection<IPAddress> addresses)
    {
        List<KeyValuePair<IPAddress, ISipTransport>> gone;
        lock (_listeners) gone = _tls.Where(l => !addresses.Contains(l.Key)).ToList();
        foreach (var (address, transport) in gone)
        {
            lock (_listeners) _tls.Remove(address);
            await Stack.RemoveTransportAsync(transport);
            _logs.Event($"SIP: stopped listening on {address}:{TlsPort} (TLS)");
        }
        var failures = new List<string>();
        foreach (var address in addresses)
        {
            lock (_listeners)
                if (_tls.ContainsKey(address)) continue;
            try
            {
                var transport = SipTlsTransport.Listen(new IPEndPoint(address, TlsPort), Certificate!.Current, BridgeAt);
                lock (_listeners) _tls[address] = transport;
                Stack.AddTransport(transport);
                _logs.Event($"SIP: listening on {address}:{TlsPort} (TLS)");
            }
            catch (SocketException e)
            {
                failures.Add($"{address}:{TlsPort} (TLS): {e.Message}");
            }
        }
        return failures;
    }

    /// <summary>The bridge whose SIP over TLS is at <paramref name="sip"/>: leg B's handshake checks its certificate as the bridge's API's.</summary>
    private Bridges.BridgeClient? BridgeAt(IPEndPoint sip) => _bridges?.Invoke().ClientAtSip(sip, "tls");
}
