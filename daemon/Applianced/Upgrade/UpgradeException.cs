namespace Appliance.Daemon.Upgrade;

public enum UpgradeError
{
    /// <summary>The signature file is missing, malformed or does not match the package and vendor key.</summary>
    BadSignature,
    /// <summary>The package is not a tar.gz of the expected shape (VERSION, app/), or is damaged.</summary>
    InvalidPackage,
    /// <summary>The requested version is not installed, or an operation does not fit the current state.</summary>
    InvalidState,
}

/// <summary>An upgrade step was refused; the message says why.</summary>
public sealed class UpgradeException(UpgradeError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public UpgradeError Error { get; } = error;
}
