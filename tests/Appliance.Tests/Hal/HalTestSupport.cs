using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Appliance.Tests.Hal;

/// <summary>Shared helpers of the HAL tests: temp directories, network namespaces, commands.</summary>
internal static class Host
{
    public static readonly TimeSpan Unexpected = TimeSpan.FromSeconds(15);

    /// <summary>Runs a command; throws with its stderr when it fails.</summary>
    public static string Run(params string[] args) => RunFull(null, args).StdOut;

    public static (int Exit, string StdOut, string StdErr) TryRun(params string[] args) => RunFull(null, args, check: false);

    public static (int Exit, string StdOut, string StdErr) RunFull(string? stdin, string[] args, bool check = true)
    {
        var psi = new ProcessStartInfo(args[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args.Skip(1))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
            p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(Unexpected))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not finish");
        }
        var result = (p.ExitCode, stdout.Result, stderr.Result);
        if (check && p.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(' ', args)}' failed ({p.ExitCode}): {result.Item3}");
        return result;
    }

    /// <summary>A veth pair from <paramref name="server"/> (198.18.0.1/24) to <paramref name="client"/> (the given /24 addresses), both up.</summary>
    public static void Link(TestNamespace server, string serverDevice, TestNamespace client, string clientDevice, params string[] clientAddresses)
    {
        Run("ip", "-n", server.Name, "link", "add", serverDevice, "type", "veth", "peer", "name", clientDevice, "netns", client.Name);
        Run("ip", "-n", server.Name, "addr", "add", "198.18.0.1/24", "dev", serverDevice);
        foreach (var address in clientAddresses)
            Run("ip", "-n", client.Name, "addr", "add", address + "/24", "dev", clientDevice);
        Run("ip", "-n", server.Name, "link", "set", serverDevice, "up");
        Run("ip", "-n", client.Name, "link", "set", clientDevice, "up");
    }

    /// <summary>Waits until something listens on <paramref name="port"/> in <paramref name="ns"/> ("tcp" or "udp").</summary>
    public static async Task WaitListeningAsync(TestNamespace ns, string protocol, int port)
    {
        var until = DateTime.UtcNow + Unexpected;
        while (!ns.Exec("ss", protocol == "udp" ? "-Hlun" : "-Hltn", "sport", "=", $":{port}").Contains($"{port}"))
        {
            Assert.True(DateTime.UtcNow < until, $"nothing started listening on {protocol} {port}");
            await Task.Delay(50);
        }
    }

    /// <summary>IPv4 addresses on a device per <c>ip -j addr</c>, as "a.b.c.d/len".</summary>
    public static List<string> Addresses(string ns, string dev)
    {
        using var doc = JsonDocument.Parse(Run("ip", "-n", ns, "-j", "addr", "show", "dev", dev));
        return doc.RootElement.EnumerateArray()
            .SelectMany(l => l.GetProperty("addr_info").EnumerateArray())
            .Where(a => a.GetProperty("family").GetString() == "inet")
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")
            .ToList();
    }
}

/// <summary>A network namespace <c>applt-&lt;random&gt;</c>, deleted (with its interfaces) on dispose.</summary>
internal sealed class TestNamespace : IDisposable
{
    public TestNamespace()
    {
        Name = "applt-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        Host.Run("ip", "netns", "add", Name);
        Host.Run("ip", "-n", Name, "link", "set", "lo", "up");
    }

    public string Name { get; }

    /// <summary>Runs a command inside the namespace.</summary>
    public string Exec(params string[] args) => Host.Run(["ip", "netns", "exec", Name, .. args]);

    public void Dispose() => Host.TryRun("ip", "netns", "del", Name);
}

/// <summary>A directory per test, removed afterwards.</summary>
internal sealed class HalTempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("applt-hal-").FullName;

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
