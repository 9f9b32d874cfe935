using Appliance.Daemon.Cluster;

namespace Appliance.Tests.Cluster;

public sealed class SignalTests
{
    [Fact]
    public async Task Sets_before_a_wait_make_one_wake_and_throw_nothing_on_the_setting_thread()
    {
        var signal = new Signal();
        var thrown = 0;
        var me = Environment.CurrentManagedThreadId;
        void Count(object? _, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == me && e.Exception is SemaphoreFullException) Interlocked.Increment(ref thrown);
        }
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (var i = 0; i < 1000; i++) signal.Set();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
        Assert.Equal(0, thrown);
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.False(await signal.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None)); // the thousand made one wake
        signal.Set();
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
    }
}
