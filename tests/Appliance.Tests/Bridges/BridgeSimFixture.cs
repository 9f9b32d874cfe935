using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Tests.Support;

namespace Appliance.Tests.Bridges;

/// <summary>
/// One bridgesim process for a test class: HTTP and HTTPS (a certificate for its address from a CA
/// made here), user "conductor", enumerations paged by 2 so paging is exercised.
/// </summary>
public sealed class BridgeSimFixture : IAsyncLifetime
{
    public const string User = "conductor";
    public const string Password = "bridge-secret";

    private readonly TempDirectory _dir = new();

    public BridgeSimFixture()
    {
        Address = LoopbackAddresses.Next();
        Ca = TestPki.Ca("bridge test CA");
        Certificate = TestPki.Server(Ca, "bridge.test", address: IPAddress.Parse(Address));
        File.WriteAllText(_dir["cert.pem"], TestPki.Pem(Certificate));
        File.WriteAllText(_dir["key.pem"], TestPki.KeyPem(Certificate));
        Sim = new BridgeSimProcess(Address,
        [
            "--https", $"{Address}:{BridgeSimProcess.HttpsPort}", "--cert", _dir["cert.pem"], "--key", _dir["key.pem"],
            "--user", User, "--password", Password, "--ports", "10", "--page-size", "2", "--type", "mcu",
        ]);
    }

    public string Address { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 Certificate { get; }
    public BridgeSimProcess Sim { get; }

    public BridgeEndpoint Endpoint(string protocol = "http", string? user = User, string? password = Password) =>
        new("b1", Address, protocol, protocol == "https" ? BridgeSimProcess.HttpsPort : BridgeSimProcess.HttpPort, user, password, "mcu", 5060, "udp");

    public BridgeClient Client(string protocol = "http", string? password = Password, BridgeTls? tls = null, TimeSpan? timeout = null) =>
        new(Endpoint(protocol, User, password), tls ?? Trusting(Ca), timeout ?? TimeSpan.FromSeconds(10));

    public static BridgeTls Trusting(X509Certificate2 ca) => new(new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(ca.RawData)), "the test CA");

    /// <summary>Sets switches through the simulator's own control call (sim.set).</summary>
    public async Task SetAsync(XmlRpcStruct switches)
    {
        using var control = Client();
        await control.CallAsync("sim.set", switches, CancellationToken.None);
    }

    public Task InitializeAsync() => Sim.StartAsync();

    public async Task DisposeAsync()
    {
        await Sim.DisposeAsync();
        _dir.Dispose();
    }
}
