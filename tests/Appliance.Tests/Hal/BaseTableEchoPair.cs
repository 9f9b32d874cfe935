using System.Diagnostics;
using Appliance.Tests.Image;

namespace Appliance.Tests.Hal;

/// <summary>
/// A server namespace (198.18.0.1) under the image's base nftables table, linked to a client
/// namespace (198.18.0.2), with socat echoing on the server's listed ports: what a datagram or a
/// connection from the client gets through shows what the firewall lets in.
/// </summary>
internal sealed class BaseTableEchoPair : IAsyncDisposable
{
    public const string ServerAddress = "198.18.0.1";
    private readonly List<Process> _listeners = [];

    public TestNamespace Server { get; } = new();
    public TestNamespace Client { get; } = new();

    /// <param name="links">Two short interface names, unique among the tests.</param>
    /// <param name="listeners">What to echo on: ("udp" or "tcp", port).</param>
    public static async Task<BaseTableEchoPair> StartAsync((string Server, string Client) links, params (string Protocol, int Port)[] listeners)
    {
        var pair = new BaseTableEchoPair();
        Host.Link(pair.Server, links.Server, pair.Client, links.Client, "198.18.0.2");
        pair.Server.Exec("nft", "-f", Path.Combine(ImageBootTests.RepoRoot(), "image", "overlay", "etc", "nftables.conf"));
        foreach (var (protocol, port) in listeners)
        {
            var address = protocol == "udp" ? $"UDP4-RECVFROM:{port},fork,reuseaddr" : $"TCP4-LISTEN:{port},fork,reuseaddr";
            pair._listeners.Add(Process.Start(new ProcessStartInfo("ip", ["netns", "exec", pair.Server.Name, "socat", address, "EXEC:/bin/cat"]))!);
            await Host.WaitListeningAsync(pair.Server, protocol, port);
        }
        return pair;
    }

    /// <summary>Sends a line from the client to the server over socat's ADDRESS (e.g. "UDP4:198.18.0.1:161"); true when it comes back.</summary>
    public (bool Ok, string Error) Echo(string text, string address)
    {
        var (exit, stdout, stderr) = Host.RunFull(text + "\n", ["ip", "netns", "exec", Client.Name, "socat", "-T", "2", "-", address], check: false);
        return (exit == 0 && stdout == text + "\n", $"exit {exit}, got '{stdout.Trim()}': {stderr.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _listeners)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().WaitAsync(Host.Unexpected);
            p.Dispose();
        }
        Client.Dispose();
        Server.Dispose();
    }
}
