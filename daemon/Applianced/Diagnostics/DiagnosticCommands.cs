using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Diagnostics;

/// <summary>
/// Network diagnostics for the admin's restricted shell (diag.*): the daemon runs them, so the
/// admin needs no Linux shell. Each has one fixed shape: a host or name checked like a config
/// value (a host name or a unicast IPv4, so never an option), bounded counts, hops and time, and
/// capped output. ping and traceroute are the image's programs (iputils-ping, traceroute); the
/// lookup, interfaces and routes are read in-process.
/// </summary>
public sealed class DiagnosticCommands(Func<JsonObject> ntpStatus)
{
    public const int MaxPings = 10;
    public const int MaxHops = 20;
    public static readonly TimeSpan LookupLimit = TimeSpan.FromSeconds(5);

    /// <summary>Where the programs are on the image (Debian); a test may point elsewhere.</summary>
    public string PingProgram { get; init; } = "/usr/bin/ping";
    public string TracerouteProgram { get; init; } = "/usr/sbin/traceroute";

    public void Register(ApiRouter router) => router
        .Add("diag.ping", PingAsync)
        .Add("diag.traceroute", TracerouteAsync)
        .Add("diag.dns", LookupAsync)
        .Add("diag.interfaces", _ => Interfaces.Describe())
        .Add("diag.routes", _ => Routes.Describe())
        .Add("diag.ntp", _ => ntpStatus());

    private async Task<JsonNode?> PingAsync(ApiRequest r, CancellationToken ct)
    {
        var host = Host(r, "host");
        var count = r.OptionalInt("count", 1, MaxPings) ?? 4;
        // -n: numbers only; -c: echoes; -W: wait for each reply; -w: the whole run's deadline.
        var deadline = count + 2;
        var run = await BoundedProcess.RunAsync(PingProgram,
            ["-n", "-c", Text(count), "-W", "2", "-w", Text(deadline), "--", host], TimeSpan.FromSeconds(deadline + 3), ct);
        return Result($"ping {host}", run);
    }

    private async Task<JsonNode?> TracerouteAsync(ApiRequest r, CancellationToken ct)
    {
        var host = Host(r, "host");
        // -n: numbers only; -q 1: one probe per hop; -w 2: seconds per probe; -m: at most MaxHops hops.
        var run = await BoundedProcess.RunAsync(TracerouteProgram,
            ["-n", "-q", "1", "-w", "2", "-m", Text(MaxHops), "--", host], TimeSpan.FromSeconds(MaxHops * 2 + 5), ct);
        return Result($"traceroute {host}", run);
    }

    private static async Task<JsonNode?> LookupAsync(ApiRequest r, CancellationToken ct)
    {
        var name = Host(r, "name");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(LookupLimit);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(name, AddressFamily.Unspecified, limit.Token);
            return new JsonObject
            {
                ["title"] = $"dns lookup {name}",
                ["name"] = name,
                ["addresses"] = new JsonArray([.. addresses.Select(a => (JsonNode)a.ToString())]),
            };
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new ApiException(ApiException.NotFound, $"{name} does not resolve: {(e is SocketException s ? s.Message : $"no answer within {LookupLimit.TotalSeconds:0} s")}", "name", name);
        }
    }

    /// <summary>A host name or a unicast IPv4 address, checked as a config Host is.</summary>
    private static string Host(ApiRequest r, string arg)
    {
        var text = r.RequiredString(arg);
        return HostNames.CheckHost(text) is { } why
            ? throw new ApiException(ApiException.Validation, $"{arg}: '{text}' {why}", arg, text, "a host name (RFC 1123) or a unicast IPv4 address")
            : text;
    }

    private static JsonObject Result(string title, DiagnosticOutput run)
    {
        var result = new JsonObject
        {
            ["title"] = title,
            ["output"] = new JsonArray([.. run.Text.Split('\n').Select(l => (JsonNode)l)]),
            ["exitCode"] = run.ExitCode,
        };
        if (run.TimedOut) result["warnings"] = new JsonArray("stopped at its time limit");
        else if (run.Truncated) result["warnings"] = new JsonArray($"output cut at {BoundedProcess.MaxOutputChars} characters");
        return result;
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
