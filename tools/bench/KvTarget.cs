namespace Appliance.Bench;

/// <summary>
/// A 3-member replicated store driven from outside its processes, as api-cluster compares them:
/// our daemons through their local API, etcd through its HTTP/JSON gateway. The shapes
/// (ApiClusterShapes) only see this, so both get the same client code.
/// </summary>
internal interface IKvTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>One connection to member <paramref name="member"/> (0-2), with one request in flight at a time.</summary>
    Task<IKvClient> ConnectAsync(int member);

    /// <summary>A watch on member <paramref name="member"/> that yields the key of every write it sees applied.</summary>
    Task<IKvWatch> WatchAsync(int member);

    /// <summary>CPU seconds and (where the process can tell) bytes allocated so far, per member.</summary>
    Task<IReadOnlyList<(double CpuSeconds, long? AllocatedBytes)>> CountersAsync();
}

internal interface IKvClient : IDisposable
{
    /// <summary>Writes one record; returns once the store acknowledges it.</summary>
    Task PutAsync(string key, string value);

    /// <summary>Writes several records in one request (all or nothing).</summary>
    Task PutManyAsync(IReadOnlyList<(string Key, string Value)> records);
}

internal interface IKvWatch : IDisposable
{
    /// <summary>The key of the next write seen, or <see cref="SomeKeys"/> for writes seen without their keys.</summary>
    Task<string> NextKeyAsync();

    /// <summary>Whether the member holds <paramref name="key"/> now (asked after <see cref="SomeKeys"/>).</summary>
    Task<bool> HoldsAsync(string key);

    /// <summary>What NextKeyAsync yields for a batch of writes it cannot name one by one.</summary>
    public const string SomeKeys = "\0some keys";
}

/// <summary>CPU time of any process from /proc (utime + stime, in clock ticks of 1/100 s).</summary>
internal static class ProcCpu
{
    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "(comm) ": field 3 is state, so utime (14) and stime (15) are at 11 and 12 here.
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }
}
