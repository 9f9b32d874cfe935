namespace Appliance.Daemon.Backup;

/// <summary>What was wrong with a backup, so callers (CLI exit codes, API errors) can tell cases apart.</summary>
public enum BackupError
{
    /// <summary>The caller's input (entry name, identity field, password) is not acceptable.</summary>
    InvalidArgument,
    /// <summary>Neither a gzip'd tar nor an encrypted backup.</summary>
    UnknownFormat,
    /// <summary>A format or encryption version this software does not know.</summary>
    UnsupportedVersion,
    /// <summary>The file is encrypted and no password was given.</summary>
    PasswordRequired,
    /// <summary>The first encrypted chunk failed authentication: the password is wrong or the file is damaged.</summary>
    WrongPasswordOrCorrupted,
    /// <summary>The file ends early.</summary>
    Truncated,
    /// <summary>Damaged content: a failed tag, a hash mismatch, malformed structure.</summary>
    Corrupted,
    /// <summary>manifest.json is missing, malformed or disagrees with the archive.</summary>
    InvalidManifest,
    /// <summary>The backup was made on another peer (hardware serial).</summary>
    OtherSerial,
    /// <summary>The backup's software version is not one this software restores.</summary>
    UnsupportedSoftwareVersion,
    /// <summary>The entries would extract to more than the reader's limits allow.</summary>
    TooLarge,
}

/// <summary>A backup could not be written, read or accepted; the message says precisely why.</summary>
public sealed class BackupException : Exception
{
    public BackupException(BackupError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    public BackupError Error { get; }
}
