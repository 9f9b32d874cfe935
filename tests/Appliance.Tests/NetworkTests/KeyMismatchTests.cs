using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>Peers whose cluster keys differ complete TLS, fail the key proof and exchange nothing else.</summary>
[Collection(NetworkTestLog.Collection)]
public sealed class KeyMismatchTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    /// <summary>
    /// Per direction of one connection. After the ServerHello, TLS 1.3 encrypts its own handshake
    /// too, so application_data records also carry it: measured with the daemon's ECDSA
    /// certificates, about 1,120 bytes from the client (certificate 527, signature ~96, finished
    /// 69) and 1,240 from the server (adds extensions, certificate request, 2 tickets of 74), each
    /// ending in the key proof's three frames (nonce 54, proof 54, verdict 22). A Hello alone would
    /// add a record of 300+ bytes, an operation batch more.
    /// </summary>
    private const int MaxApplicationBytesPerDirection = 1400;
    private const int MaxApplicationRecordsPerDirection = 10;

    [RootFact(Timeout = 180_000)]
    public async Task Wrong_key_peers_show_key_mismatch_and_exchange_no_application_data()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.CreateAsync(2, _log.Write);
        await using var capture = await Capture.StartAsync(cluster.Network.SwitchNamespace, cluster.Network.Bridge);
        await cluster.StartPeersAsync();
        await cluster.FormAsync("", keys: [$"right-{marker}-key", $"wrong-{marker}-key"]);

        await cluster.WaitStatusAsync(s => s == "Key mismatch", "as Key mismatch", NetworkTestLog.FormTimeout);
        // Let the dialers retry a few times: every attempt must fail the same way.
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var peer in cluster.Peers)
        {
            var status = await peer.Api.PeerStatusAsync();
            Assert.All(status.Where(kv => kv.Key != peer.Host.Address), kv => Assert.Equal("Key mismatch", kv.Value));
            Assert.Contains(await peer.Api.ActiveAlarmsAsync(), id => id.StartsWith("peer-key-mismatch:", StringComparison.Ordinal));
        }
        await capture.StopAsync();

        var streams = capture.TcpConnections().Where(c => c.ClientToServer.Bytes.Length > 0).ToList();
        Assert.NotEmpty(streams);
        foreach (var c in streams)
        {
            var client = TlsRecordChecker.Check(c.ClientToServer.Bytes, fromClient: true);
            var server = TlsRecordChecker.Check(c.ServerToClient.Bytes, fromClient: false);
            _log.Write($"{c}: client app records [{string.Join(",", client.Records.Where(r => r.Type == 0x17).Select(r => r.Length))}], " +
                $"server app records [{string.Join(",", server.Records.Where(r => r.Type == 0x17).Select(r => r.Length))}]");
            Assert.True(client.IsValid && server.IsValid, $"{c}: {string.Join("; ", client.Errors.Concat(server.Errors))}");
            foreach (var (side, report) in new[] { ("client", client), ("server", server) })
            {
                Assert.True(report.ApplicationDataBytes <= MaxApplicationBytesPerDirection,
                    $"{c} {side}: {report.ApplicationDataBytes} bytes of application data after a failed key proof");
                Assert.True(report.ApplicationDataRecords <= MaxApplicationRecordsPerDirection,
                    $"{c} {side}: {report.ApplicationDataRecords} application data records after a failed key proof");
            }
        }
    }
}
