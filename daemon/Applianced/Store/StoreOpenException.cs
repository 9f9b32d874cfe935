namespace Appliance.Daemon.Store;

/// <summary>The store cannot be opened; the message names the file and what the operator can do.</summary>
public sealed class StoreOpenException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Another running daemon holds the store: a refusal, not a broken file.</summary>
    public bool HeldByAnother { get; init; }
}
