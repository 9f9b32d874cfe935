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

    /// <summary>
    /// For targets whose first byte picks a mode: that byte and the rest. An empty input is mode 0
    /// with an empty body and still reaches the decoder: SharpFuzz reads the first input before
    /// afl-fuzz has written it, and a first execution that runs no instrumented code makes
    /// afl-fuzz stop with "No instrumentation detected".
    /// </summary>
    protected static (int Mode, byte[] Body) Split(byte[] input) => input.Length == 0 ? (0, []) : (input[0], input[1..]);

    /// <summary>Small valid inputs made with the real encoders, one file each.</summary>
    public abstract IEnumerable<(string Name, byte[] Bytes)> Seeds();

    /// <summary>Words of the format (field names, magic) for an afl-fuzz dictionary; none by default.</summary>
    public virtual IEnumerable<string> Tokens => [];
}

/// <summary>A decoder accepted an input and then broke a promise its callers rely on.</summary>
internal sealed class InvariantException(string message) : Exception(message);
