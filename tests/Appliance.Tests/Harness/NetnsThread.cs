using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Appliance.Tests.Harness;

/// <summary>
/// A dedicated OS thread that has joined a network namespace with setns(2). Sockets and pcap
/// handles belong to the namespace of the thread that creates them, so whatever must live inside
/// the namespace (relay sockets, capture devices) is created here; once created they can be used
/// from any thread. The test process itself never leaves its own namespace.
/// </summary>
public sealed class NetnsThread : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public string Namespace { get; }

    public NetnsThread(string ns)
    {
        Namespace = ns;
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() => Run(joined)) { IsBackground = true, Name = $"netns {ns}" };
        _thread.Start();
        joined.Task.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    private void Run(TaskCompletionSource joined)
    {
        try
        {
            Join(Namespace);
            joined.SetResult();
        }
        catch (Exception e)
        {
            joined.SetException(e);
            return;
        }
        foreach (var action in _work.GetConsumingEnumerable()) action();
    }

    /// <summary>Moves the calling thread into /run/netns/NAME. Only for threads that never go back to a pool.</summary>
    public static void Join(string ns)
    {
        using var handle = File.OpenHandle($"/run/netns/{ns}", FileMode.Open, FileAccess.Read);
        if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
            throw new HarnessException($"setns into network namespace {ns} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public Task<T> RunAsync<T>(Func<T> func)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try { done.SetResult(func()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _work.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
