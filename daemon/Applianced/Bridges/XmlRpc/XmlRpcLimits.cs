namespace Appliance.Daemon.Bridges.XmlRpc;

/// <summary>
/// What a reader takes from the other side. The size is enforced while the body is read (before
/// any parsing); the depth bounds the recursion of nested structs and arrays; the value count bounds
/// the objects one document can make the reader allocate.
/// </summary>
public sealed record XmlRpcLimits
{
    public static readonly XmlRpcLimits Default = new();

    /// <summary>Largest document, in bytes (and characters).</summary>
    public int MaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Deepest nesting of structs and arrays.</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Most values (of any type) in one document.</summary>
    public int MaxValues { get; init; } = 100_000;
}
