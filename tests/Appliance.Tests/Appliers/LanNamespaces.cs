using Appliance.Tests.Hal;

namespace Appliance.Tests.Appliers;

/// <summary>
/// Two namespaces joined by a veth pair: the appliance side (interface lan0, 198.18.7.1/24 put
/// there by hand as if by the installer) and a client side (cli0) with a peer's address
/// 198.18.7.2 and a stranger's 198.18.7.3. Both deleted on dispose.
/// </summary>
internal sealed class LanNamespaces : IDisposable
{
    public const string Interface = "lan0";
    public const string Own = "198.18.7.1";
    public const string Peer = "198.18.7.2";
    public const string Stranger = "198.18.7.3";

    public TestNamespace Appliance { get; } = new();
    public TestNamespace Client { get; } = new();

    public LanNamespaces()
    {
        try
        {
            Host.Run("ip", "link", "add", Interface, "netns", Appliance.Name, "type", "veth", "peer", "name", "cli0", "netns", Client.Name);
            Host.Run("ip", "-n", Appliance.Name, "addr", "add", Own + "/24", "dev", Interface);
            Host.Run("ip", "-n", Appliance.Name, "link", "set", Interface, "up");
            Host.Run("ip", "-n", Client.Name, "addr", "add", Peer + "/24", "dev", "cli0");
            Host.Run("ip", "-n", Client.Name, "addr", "add", Stranger + "/24", "dev", "cli0");
            Host.Run("ip", "-n", Client.Name, "link", "set", "cli0", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public List<string> Addresses => Host.Addresses(Appliance.Name, Interface);

    /// <summary>A TCP connect from the client side with the given source; true when it connected within 2 s.</summary>
    public bool CanConnect(string source, int port) =>
        Host.TryRun("ip", "netns", "exec", Client.Name, "socat", "-u", "OPEN:/dev/null",
            $"TCP4:{Own}:{port},bind={source},connect-timeout=2").Exit == 0;

    public void Dispose()
    {
        Appliance.Dispose();
        Client.Dispose();
    }
}
