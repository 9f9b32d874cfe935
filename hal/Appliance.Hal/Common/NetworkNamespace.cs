namespace Appliance.Hal;

/// <summary>
/// Builds command lines that run inside an optional named network namespace, so the same code
/// drives the machine itself (no namespace) or a test namespace (<c>ip netns add NAME</c>).
/// </summary>
internal static class NetworkNamespace
{
    public static void Validate(string? name)
    {
        if (name is null)
            return;
        if (name.Length == 0 || name.Length > 64 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || name.StartsWith('.'))
            throw new ArgumentException($"network namespace name '{name}' is not a plain name (letters, digits, '-', '_', '.')", nameof(name));
    }

    /// <summary>Arguments for <c>ip</c>: <c>ip -n NS ...</c> when a namespace is given.</summary>
    public static List<string> IpArgs(string? ns, params string[] args)
    {
        var list = new List<string>();
        if (ns is not null)
        {
            list.Add("-n");
            list.Add(ns);
        }
        list.AddRange(args);
        return list;
    }

    /// <summary>A tool without its own namespace flag (nft) runs under <c>ip netns exec NS</c>.</summary>
    public static (string FileName, List<string> Args) Wrap(string? ns, string tool, params string[] args)
    {
        if (ns is null)
            return (tool, [.. args]);
        return ("ip", ["netns", "exec", ns, tool, .. args]);
    }
}
