namespace Appliance.Daemon.Config;

public static partial class ConfigSchema
{
    /// <summary>Where new conferences go and which calls make them (Conferencing/CONFERENCING.md).</summary>
    private static IEnumerable<SectionDef> ConferencingSections()
    {
        const ConfigScope C = ConfigScope.Cluster;
        yield return new("bridge-pools", C, true,
        [
            Name(),
            new("bridges", FieldKind.TokenList) { MaxCount = 32, Help = "bridges items in the pool (at least one)" },
            new("location", FieldKind.Token) { Help = "the locations item the pool's bridges serve" },
            new("description", FieldKind.String),
        ]) { Help = "conference bridges grouped into pools", Validate = ReferenceRules.Pool };
        yield return new("service-preferences", C, true,
        [
            Name(),
            new("pools", FieldKind.TokenList) { MaxCount = 16, Help = "bridge-pools items, tried in this order (at least one)" },
            new("description", FieldKind.String),
        ]) { Help = "ordered lists of bridge pools a template places conferences on", Validate = ReferenceRules.Preference };
        yield return new("conference-aliases", C, true,
        [
            Name(),
            new("pattern", FieldKind.Regex) { Required = true, MaxLength = 256, Help = "incoming alias the whole of which it matches, e.g. meet\\.(\\d+)@example\\.com" },
            new("conference", FieldKind.String) { Required = true, MaxLength = 128, Help = "the conference name it makes: a replace string, e.g. meet-$1" },
            new("role", FieldKind.Enum) { Default = "guest", Required = true, Choices = ["chair", "guest"], Help = "the caller's role in the conference" },
            new("priority", FieldKind.Int) { Required = true, Min = 1, Max = 65535, Help = "lower is tried first" },
            new("template", FieldKind.Token) { Required = true, Help = "the templates item the conference is made from" },
            new("description", FieldKind.String),
        ]) { Help = "incoming call aliases and the conferences they make", Validate = ReferenceRules.Alias };
    }
}
