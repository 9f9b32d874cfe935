namespace Appliance.Tests.Support;

/// <summary>What the kernel says of a process: resident memory, CPU time used, open descriptors.</summary>
public static class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Resident set size in MiB (VmRSS).</summary>
    public static double RssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }

    /// <summary>User plus system CPU time, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    public static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
