using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>
/// Output for harness steps. Background parts (relay, cleanup) may log after xunit has closed
/// the test's output, which then throws: those late lines go to stderr instead.
/// </summary>
internal sealed class NetworkTestLog(ITestOutputHelper output)
{
    /// <summary>
    /// The network tests run one after another: each runs several daemons, and on a small
    /// machine parallel ones would measure each other's load as network delay.
    /// </summary>
    public const string Collection = "network namespaces";

    private readonly DateTime _start = DateTime.UtcNow;

    public void Write(string line)
    {
        var stamped = $"[{(DateTime.UtcNow - _start).TotalSeconds,7:0.000}] {line}";
        try { output.WriteLine(stamped); }
        catch (InvalidOperationException) { Console.Error.WriteLine(stamped); }
    }

    public static string Marker() => $"mk{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))}";

    public static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);

    public static bool IsPeerAddress(TestCluster cluster, System.Net.IPAddress? address) =>
        address is not null && cluster.Addresses.Contains(address.ToString());
}
