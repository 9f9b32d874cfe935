namespace Appliance.Tests.Support;

/// <summary>
/// Distinct loopback addresses for peers and bridge simulators, so test classes run in parallel on
/// the default ports. The second octet comes from the process id, so two test runs on one machine
/// (the lead's and a helper's) do not collide either; the third and fourth count up within the run,
/// each from 100, so every address has three-digit octets there and sorts the same as text and as a
/// number (the lowest address forms a cluster), and a run has 155 x 155 of them.
/// </summary>
public static class LoopbackAddresses
{
    private const int First = 100, PerOctet = 255 - First;
    private static int _next = -1;
    private static readonly int Octet2 = 1 + Environment.ProcessId % 250;

    public static string Next()
    {
        var n = Interlocked.Increment(ref _next);
        if (n >= PerOctet * PerOctet) throw new InvalidOperationException("out of loopback addresses for this test run");
        return $"127.{Octet2}.{First + n / PerOctet}.{First + n % PerOctet}";
    }
}
