namespace Appliance.Daemon.Conferencing;

/// <summary>
/// What one call's placement has learnt so far, kept across the decisions of one INVITE: bridges that
/// failed it (left out, with why) and a conference its bridge turned out not to have any more.
/// </summary>
public sealed class CallPlacement
{
    public Dictionary<string, string> Failed { get; } = new(StringComparer.Ordinal);

    /// <summary>A join's conference that its bridge answered 404 for: the next decision creates it there again.</summary>
    public (string? Conference, string? Bridge)? Gone { get; set; }
}
