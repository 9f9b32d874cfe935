namespace Appliance.Tests.Support;

/// <summary>
/// Distinct loopback addresses for peers, so test classes run in parallel on the default ports.
/// The third octet comes from the process id, so two test runs on one machine (the lead's and a
/// helper's) do not collide either; the fourth counts up from 101 within the run.
/// </summary>
public static class LoopbackAddresses
{
    private static int _next = 100;
    private static readonly int Octet3 = 1 + Environment.ProcessId % 250;

    public static string Next()
    {
        var n = Interlocked.Increment(ref _next);
        if (n > 254) throw new InvalidOperationException("out of loopback addresses for this test run");
        return $"127.0.{Octet3}.{n}";
    }
}
