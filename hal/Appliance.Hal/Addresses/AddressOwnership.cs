using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Hal;

/// <summary>
/// The state file recording which addresses (and gateway) this appliance added, per interface.
/// Why a file and not a kernel marker: address labels must start with the interface name and fit
/// in 15 characters (no room on long names such as veth ends), and the address "proto" attribute
/// needs iproute2 6.3 and kernel 6.3 while Debian 12 ships iproute2 6.1.
/// </summary>
internal sealed class AddressOwnership
{
    private readonly string _path;

    public AddressOwnership(string path) => _path = path;

    public sealed record Entry(HashSet<string> Addresses, string? Gateway);

    public async Task<Dictionary<string, Entry>> LoadAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (!File.Exists(_path))
            return result;
        try
        {
            var root = JsonNode.Parse(await File.ReadAllTextAsync(_path, cancellationToken).ConfigureAwait(false))?.AsObject()
                ?? throw new JsonException("empty document");
            foreach (var (name, node) in root["interfaces"]?.AsObject() ?? [])
            {
                var addresses = node?["addresses"]?.AsArray().Select(a => a!.GetValue<string>()).ToHashSet() ?? [];
                result[name] = new Entry(addresses, node?["gateway"]?.GetValue<string>());
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"address ownership state file '{_path}' is not valid: {e.Message}", e);
        }
    }

    public Task SaveAsync(Dictionary<string, Entry> state, CancellationToken cancellationToken)
    {
        var interfaces = new JsonObject();
        foreach (var (name, e) in state.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            interfaces[name] = new JsonObject
            {
                ["addresses"] = new JsonArray(e.Addresses.Order(StringComparer.Ordinal).Select(a => (JsonNode)a).ToArray()),
                ["gateway"] = e.Gateway,
            };
        }
        var doc = new JsonObject { ["interfaces"] = interfaces };
        return AtomicFile.WriteAsync(_path, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
    }
}
