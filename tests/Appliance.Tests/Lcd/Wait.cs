namespace Appliance.Tests.Lcd;

internal static class Wait
{
    /// <summary>The unexpected-case timeout: anything slower than this is a failure.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="what"/> and the last state.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, Func<string>? state = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Long);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}" + (state is null ? "" : $"; state: {state()}"));
            await Task.Delay(20);
        }
    }

    public static string Show(string[] lines) => string.Join(" | ", lines.Select(l => l.TrimEnd()));
}
