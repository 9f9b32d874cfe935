using Appliance.Fuzz;
using SharpFuzz;

const string Usage = """
    usage: fuzz <target>               fuzz under afl-fuzz (input on stdin); run outside afl-fuzz it
                                       tries the one input on stdin and exits 1 on a crash
           fuzz <target> --seeds DIR   write the target's seed corpus into DIR (exits 1 if the
                                       target refuses one of them)
           fuzz <target> --dict FILE   write the target's afl-fuzz dictionary (empty if it has none)
           fuzz --list                 the targets
    """;

if (args is ["--list"])
{
    foreach (var t in Targets.All)
        Console.WriteLine($"{t.Name,-10} {t.Description}");
    return 0;
}
if (args.Length is not (1 or 3) || Targets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine(Usage);
    Console.Error.WriteLine($"targets: {string.Join(", ", Targets.All.Select(t => t.Name))}");
    return 2;
}
switch (args)
{
    case [_, "--seeds", var dir]:
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in target.Seeds())
        {
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
            // A seed the decoder refuses means the seed writer and the format drifted apart.
            if (target.Run(bytes) is { } refusal)
            {
                Console.Error.WriteLine($"{target.Name}: seed {name} is refused: {refusal}");
                return 1;
            }
        }
        return 0;
    case [_, "--dict", var file]:
        // afl-fuzz dictionary syntax: name="value" with \xNN escapes for anything but printable ASCII.
        File.WriteAllLines(file, target.Tokens.Select((token, i) => $"t{i}=\"{AflDictionary.Escape(token)}\""));
        return 0;
    case [_]:
        break;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

if (Environment.GetEnvironmentVariable("__AFL_SHM_ID") is null)
{
    // Replaying one input (a crash afl-fuzz saved, or a seed): say what happened instead of aborting.
    var input = FuzzInput.Read(Console.OpenStandardInput());
    string? refusal;
    try
    {
        refusal = target.Run(input);
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"{target.Name}: crash on {input.Length} bytes: {e}");
        return 1;
    }
    Console.WriteLine($"{target.Name}: {input.Length} bytes {(refusal is null ? "accepted" : "refused: " + refusal)}");
    return 0;
}

Fuzzer.Run(stream => target.Run(FuzzInput.Read(stream)));
return 0;
