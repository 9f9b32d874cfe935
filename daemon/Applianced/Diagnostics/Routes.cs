using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Diagnostics;

/// <summary>diag.routes: the kernel's IPv4 routing table (`show routes`), read from /proc/net/route.</summary>
public static class Routes
{
    public const string Table = "/proc/net/route";

    public static JsonObject Describe(string table = Table) => new()
    {
        ["title"] = "IPv4 routes",
        ["routes"] = new JsonArray([.. File.ReadLines(table).Skip(1).Select(Row).OfType<JsonNode>()]),
    };

    /// <summary>One line: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex, little-endian).</summary>
    private static JsonObject? Row(string line)
    {
        var f = line.Split('\t', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 8) return null;
        var destination = Address(f[1]);
        var mask = Address(f[7]);
        var prefix = BitConverter.GetBytes(uint.Parse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).Sum(b => BitCount(b));
        return new JsonObject
        {
            ["destination"] = destination == "0.0.0.0" && mask == "0.0.0.0" ? "default" : $"{destination}/{prefix}",
            ["gateway"] = Address(f[2]) is var gw && gw != "0.0.0.0" ? gw : null,
            ["interface"] = f[0],
            ["metric"] = int.Parse(f[6], CultureInfo.InvariantCulture),
        };
    }

    private static string Address(string hex) =>
        new IPAddress(BitConverter.GetBytes(uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToString();

    private static int BitCount(byte b) => System.Numerics.BitOperations.PopCount(b);
}
