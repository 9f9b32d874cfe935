using System.Text.Json.Nodes;

namespace Appliance.Ctl;

internal enum ArgKind
{
    /// <summary>One positional word.</summary>
    Required,
    /// <summary>One positional word that may be left out.</summary>
    Optional,
    /// <summary>All remaining words as a JSON array (at least Min of them).</summary>
    Rest,
    /// <summary>All remaining words as key=value pairs into a JSON object (name "": into the args themselves).</summary>
    Pairs,
    /// <summary>A named option with a value, e.g. --peer HOST.</summary>
    Option,
    /// <summary>A constant the command always sends.</summary>
    Fixed,
    /// <summary>A named option without a value, e.g. --password-stdin; sends true.</summary>
    Flag,
}

/// <summary>One argument of a command: how it is written and which API arg it becomes.</summary>
internal sealed record ArgSpec(ArgKind Kind, string Name, string Display)
{
    public int Min { get; init; }
    public string? Flag { get; init; }
    public JsonNode? Value { get; init; }
    /// <summary>Pairs only: a word without '=' becomes key: null (a secret field named to be asked for).</summary>
    public bool BareKeys { get; init; }
    /// <summary>Turns the word into the JSON value sent; throws UsageException naming what is wrong.</summary>
    public Func<string, JsonNode>? Convert { get; init; }

    public string Usage => Kind switch
    {
        ArgKind.Required => Display,
        ArgKind.Optional => $"[{Display}]",
        ArgKind.Rest => Min > 0 ? $"{Display}..." : $"[{Display}...]",
        ArgKind.Pairs => $"[{Display}...]",
        ArgKind.Option => $"[{Flag} {Display}]",
        ArgKind.Flag => $"[{Flag}]",
        _ => "",
    };
}

/// <summary>One CLI command: the words that name it, the API cmd it sends and its arguments.</summary>
internal sealed record CommandSpec(string Words, string ApiCmd, string Summary, params ArgSpec[] Args)
{
    public string[] WordList { get; } = Words.Split(' ');
    public string Group => WordList[0];

    /// <summary>When set, --follow is accepted and switches to this streaming cmd.</summary>
    public string? FollowCmd { get; init; }

    /// <summary>When set, the command asks y/N before it runs (or takes --yes); this gives the sentence
    /// naming what will happen, from this peer's host name and the command's args.</summary>
    public Func<string, JsonObject, string>? Confirm { get; init; }

    /// <summary>With <see cref="Confirm"/>: asks only for the args this accepts (`config unset` asks
    /// before clearing cluster.key or cluster.peers, which takes the peer out of the cluster).</summary>
    public Func<JsonObject, bool>? ConfirmWhen { get; init; }

    /// <summary>True when these args make the command ask before it runs.</summary>
    public bool Asks(JsonObject args) => Confirm is not null && (ConfirmWhen?.Invoke(args) ?? true);

    /// <summary>When set, extra words are refused with this message instead of being echoed back
    /// (a secret typed on the command line must not be repeated on screen).</summary>
    public string? ExtraArgsMessage { get; init; }

    /// <summary>Builds the args with input the command line cannot carry (e.g. a secret prompt);
    /// returns null when the user gave up.</summary>
    public Func<CommandContext, JsonObject, CancellationToken, Task<JsonObject?>>? Prepare { get; init; }

    /// <summary>Runs the command itself instead of one plain call (uploads and downloads); returns the exit code.</summary>
    public Func<CommandContext, JsonObject, CancellationToken, Task<int>>? Run { get; init; }

    /// <summary>The exit code of an answer that is not an error (a check that found a failure); Ok when not set.</summary>
    public Func<JsonObject, int>? ExitCode { get; init; }

    public string Usage
    {
        get
        {
            var parts = new List<string> { Words };
            parts.AddRange(Args.Where(a => a.Kind != ArgKind.Fixed).Select(a => a.Usage));
            if (FollowCmd is not null)
                parts.Add("[--follow]");
            if (Confirm is not null)
                parts.Add($"[{Confirmation.YesFlag}]");
            return string.Join(' ', parts);
        }
    }
}
