namespace Appliance.Tests.Maintenance;

/// <summary>Distinct replication/recovery port pairs per test (peers bind distinct 127.0.0.x addresses).</summary>
internal static class Ports
{
    private static int _next = 21000 + Random.Shared.Next(0, 8000) * 2;

    public static int Next() => Interlocked.Add(ref _next, 2);

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            if (DateTime.UtcNow > until) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
