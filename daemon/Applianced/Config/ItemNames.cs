namespace Appliance.Daemon.Config;

/// <summary>Names of collection items (bridges, locations, firewall rules, ...).</summary>
public static class ItemNames
{
    public const string Rule = "is not a valid name (letters, digits, '-', '_', '.'; 1-64 characters; not only dots)";

    public static bool IsValid(string? name) =>
        name is { Length: >= 1 and <= 64 }
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
        && name.Any(c => c != '.');
}
