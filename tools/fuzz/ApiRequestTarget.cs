using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;

namespace Appliance.Fuzz;

/// <summary>
/// The local API's request parsing: the line reader splitting the client's bytes, then the parser
/// turning each line into a request (<see cref="ApiRequestParser"/>). A request the parser accepts
/// must be readable by a handler: its arguments can be enumerated and read.
/// </summary>
internal sealed class ApiRequestTarget : FuzzTarget
{
    private const int MaxLineBytes = 1 << 20;

    public override string Name => "api";

    public override string Description => "LineReader + ApiRequestParser.Parse per line; refusal: ApiException (and an over-long line)";

    public override string? Run(byte[] input)
    {
        var refusals = new List<string>();
        var reader = new LineReader(new MemoryStream(input, writable: false), MaxLineBytes);
        try
        {
            while (reader.ReadLineAsync(CancellationToken.None).GetAwaiter().GetResult() is { } line)
            {
                if (line.Length == 0)
                    continue;
                try
                {
                    var request = ApiRequestParser.Parse(line);
                    // Each argument read as a handler reads one of its kind (a wrong kind is a usage refusal).
                    foreach (var (name, value) in request.Args)
                        _ = value?.GetValueKind() switch
                        {
                            JsonValueKind.Number => request.OptionalInt(name),
                            JsonValueKind.String => (object?)request.OptionalString(name),
                            _ => null,
                        };
                    ReadAll(request.Args);
                }
                catch (ApiException e)
                {
                    refusals.Add(e.Message);
                }
            }
        }
        catch (LineTooLongException)
        {
            refusals.Add("line too long");
        }
        return refusals.Count == 0 ? null : string.Join("; ", refusals);
    }

    /// <summary>Reads every name and value at any depth, as handlers reading nested fields would.</summary>
    private static void ReadAll(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                    ReadAll(child);
                break;
            case JsonArray a:
                foreach (var child in a)
                    ReadAll(child);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                _ = v.GetValue<string>();
                break;
        }
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        yield return ("status", FuzzInput.Utf8("{\"v\":1,\"cmd\":\"status\"}\n"));
        yield return ("config-set", FuzzInput.Utf8(
            "{\"v\":1,\"cmd\":\"config.set\",\"args\":{\"section\":\"system\",\"fields\":{\"hostname\":\"a\"}},\"user\":\"admin\",\"channel\":\"cli\"}\n"));
        yield return ("two-lines", FuzzInput.Utf8("{\"cmd\":\"log.read\",\"args\":{\"limit\":10}}\r\n{\"cmd\":\"peers\"}"));
    }

    public override IEnumerable<string> Tokens =>
        ["\"v\"", "\"cmd\"", "\"args\"", "\"user\"", "\"channel\"", "\"fields\"", "\"section\"", "\\n", "null", "\\ud800", "1e999"];
}
