namespace Appliance.Fuzz;

/// <summary>
/// One decoder under fuzzing. <see cref="Run"/> feeds it one input and swallows only the refusals
/// the decoder documents; anything else that escapes (an unexpected exception type, a broken
/// invariant) is what afl-fuzz records as a crash.
/// </summary>
internal abstract class FuzzTarget
{
    public abstract string Name { get; }

    /// <summary>One line for `fuzz --list`: what the target calls and what it treats as a refusal.</summary>
    public abstract string Description { get; }

    /// <summary>Decodes one input: null when the decoder accepted it, else the refusal it gave.</summary>
    public abstract string? Run(byte[] input);

    /// <summary>The refusal of targets whose first byte picks a mode, when there is no byte.</summary>
    protected const string NoMode = "empty input (no mode byte)";

    /// <summary>Small valid inputs made with the real encoders, one file each.</summary>
    public abstract IEnumerable<(string Name, byte[] Bytes)> Seeds();

    /// <summary>Words of the format (field names, magic) for an afl-fuzz dictionary; none by default.</summary>
    public virtual IEnumerable<string> Tokens => [];
}

/// <summary>A decoder accepted an input and then broke a promise its callers rely on.</summary>
internal sealed class InvariantException(string message) : Exception(message);
