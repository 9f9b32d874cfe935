namespace Appliance.Daemon.Store;

/// <summary>The store cannot be opened; the message names the file and what the operator can do.</summary>
public sealed class StoreOpenException(string message, Exception? inner = null) : Exception(message, inner);
