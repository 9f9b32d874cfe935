using System.Globalization;
using Appliance.Daemon.Store;

namespace Appliance.Tests.Support;

/// <summary>
/// Fills a stopped daemon's store with shared records, in commits of 1,000: thousands of API calls
/// would take minutes. The records replicate (or are backed up) once the daemon runs again.
/// </summary>
public static class StoreFill
{
    /// <summary>Conferences of about 200 bytes named PREFIX-00000...; returns the bytes of their names and values.</summary>
    public static long Conferences(string dataDir, string prefix, int count) =>
        Fill(dataDir, "conferences", prefix, count, (name, n) =>
            $$"""{"name":"{{name}}","bridge":"bridge-{{new string('b', 50)}}-{{n % 7}}","template":"t1","participants":{{n % 50}},"started":"2026-01-01T00:00:00Z"}""");

    /// <summary>
    /// Locations of about 150 bytes named PREFIX-00000...: valid records that no rule between records
    /// looks at (conferences name bridges and templates, and a daemon checks those rules on each).
    /// </summary>
    public static long Locations(string dataDir, string prefix, int count) =>
        Fill(dataDir, "locations", prefix, count, (name, n) =>
            $$"""{"name":"{{name}}","description":"building {{n % 13}}, floor {{n % 7}}, room {{n}}: {{new string('x', 80)}}"}""");

    private static long Fill(string dataDir, string section, string prefix, int count, Func<string, int, string> value)
    {
        long bytes = 0;
        using var store = Store.Open(dataDir);
        for (var start = 0; start < count; start += 1000)
        {
            var batch = Enumerable.Range(start, Math.Min(1000, count - start)).Select(n =>
            {
                var name = $"{prefix}-{n.ToString("D5", CultureInfo.InvariantCulture)}";
                var json = value(name, n);
                bytes += name.Length + json.Length;
                return new Mutation(Scopes.Cluster, section, name, json);
            }).ToList();
            store.Write(batch);
        }
        return bytes;
    }
}
