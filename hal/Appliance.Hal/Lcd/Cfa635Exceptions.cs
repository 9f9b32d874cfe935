namespace Appliance.Hal.Lcd;

/// <summary>The display answered a command with an error response (0xC0 | command).</summary>
public sealed class Cfa635CommandException(byte command, string message) : IOException(message)
{
    /// <summary>The command the display refused.</summary>
    public byte Command { get; } = command;
}

/// <summary>The display did not answer a command within the timeout, after all retries.</summary>
public sealed class Cfa635TimeoutException(byte command, string message) : TimeoutException(message)
{
    /// <summary>The command that went unanswered.</summary>
    public byte Command { get; } = command;
}

/// <summary>The serial line went away (device unplugged, IO error) while a command was outstanding.</summary>
public sealed class Cfa635LineLostException(string message, Exception? inner = null) : IOException(message, inner);
