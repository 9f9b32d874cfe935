using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Api;

/// <summary>
/// Turns one request line into an <see cref="ApiRequest"/>, or an <see cref="ApiException"/> of kind
/// usage naming what is wrong. Whatever the line holds, nothing else escapes: the server answers it
/// and the connection stays usable (PROTOCOL.md).
/// </summary>
internal static class ApiRequestParser
{
    /// <summary>Duplicate keys are refused, not resolved: "last one wins" would let a client
    /// smuggle a value past whatever read the first one.</summary>
    private static readonly JsonDocumentOptions Document = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    public static ApiRequest Parse(string line)
    {
        try { return ParseChecked(line); }
        // System.Text.Json reports some text it cannot turn into strings (an escaped lone
        // surrogate) only when the value is read; whatever it throws, the request is what is wrong.
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            throw Usage($"request is not valid: {e.Message}");
        }
    }

    private static ApiRequest ParseChecked(string line)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(line, documentOptions: Document); }
        catch (JsonException e) { throw Usage($"request is not valid JSON: {e.Message}"); }
        if (node is not JsonObject obj) throw Usage("request must be a JSON object");
        // Only an escape (\uD800) or a surrogate in the line itself can put a lone surrogate in a
        // string: most requests hold neither, and walking every key and value, naming each on the
        // way, was about a tenth of what a config.add allocated (issue 19).
        if (line.Contains("\\u", StringComparison.Ordinal) || LoneSurrogateAt(line) >= 0) CheckStrings(obj, "request");
        var version = obj["v"] switch
        {
            null => ApiServer.Version,
            JsonValue v when v.TryGetValue<int>(out var n) => n,
            _ => throw Usage("'v' must be a whole number (the API version)"),
        };
        if (version != ApiServer.Version) throw Usage($"API version {version} is not supported (this daemon speaks {ApiServer.Version})");
        var cmd = OptionalString(obj, "cmd") ?? throw Usage("request has no 'cmd' (a string)");
        var args = obj["args"] switch
        {
            null => new JsonObject(),
            JsonObject a => Detach(obj, a),
            _ => throw Usage("'args' must be a JSON object"),
        };
        return new ApiRequest(cmd, args, OptionalString(obj, "user") ?? "", Channel(OptionalString(obj, "channel")))
        {
            Upload = Switch(obj, "upload"),
            Progress = Switch(obj, "progress") ? new Progress.WorkProgress() : null,
        };
    }

    /// <summary>The channel a client names is kept for the log, as a short lower-case word.</summary>
    private static string Channel(string? claimed)
    {
        if (claimed is null) return "api";
        return claimed.Length is > 0 and <= 16 && claimed.All(char.IsAsciiLetterLower)
            ? claimed
            : throw Usage($"'channel' must be a short lower-case word (a-z, at most 16), not \"{Config.TextRules.Escape(claimed.Length > 32 ? claimed[..32] : claimed)}\"");
    }

    private static bool Switch(JsonObject obj, string name) => obj[name] switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw Usage($"'{name}' must be true or false"),
    };

    private static string? OptionalString(JsonObject obj, string name) => obj[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw Usage($"'{name}' must be a string"),
    };

    /// <summary>
    /// JSON may carry a lone surrogate as an escape ("\ud800"); such a string is no text at all and
    /// fails later, deep in whatever encodes it. Refuse it here, in keys and values alike.
    /// </summary>
    private static void CheckStrings(JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    CheckText(key, $"{where}: a key");
                    CheckStrings(value, $"{where}.{key}");
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) CheckStrings(a[i], $"{where}[{i}]");
                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                CheckText(s, where);
                break;
        }
    }

    private static void CheckText(string text, string where)
    {
        if (LoneSurrogateAt(text) is var i and >= 0)
            throw Usage($"{where} holds a lone surrogate U+{(int)text[i]:X4}, which is not text (send UTF-8 or a surrogate pair)");
    }

    /// <summary>Where the first surrogate that is not half of a pair is, or -1.</summary>
    private static int LoneSurrogateAt(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) return i;
        }
        return -1;
    }

    /// <summary>The request's args on their own (a node has one parent), taken out of the request instead of copied.</summary>
    private static JsonObject Detach(JsonObject request, JsonObject args)
    {
        request.Remove("args");
        return args;
    }

    private static ApiException Usage(string message) => new(ApiException.Usage, message);
}
