namespace Appliance.Daemon.Config;

public static partial class ConfigSchema
{
    private static IEnumerable<SectionDef> SharedSections()
    {
        const ConfigScope C = ConfigScope.Cluster;
        yield return new("admin", C, false,
        [
            new("user", FieldKind.UserName) { Default = "admin", Required = true },
            new("password", FieldKind.HashedSecret) { Help = "console login of the admin account; stored as a crypt(3) hash, applied to the OS, never shown" },
        ]) { Help = "administrator account (shared by all peers)", Validate = SectionRules.Admin };
        yield return new("ssh-keys", C, true,
        [
            Name(),
            new("key", FieldKind.SshPublicKey) { Required = true, Help = "OpenSSH public key line: TYPE BASE64 [COMMENT]" },
        ]) { Help = "SSH public keys of the admin account (shared by all peers)", ManagedBy = "ssh-keys" };
        yield return new("bridges", C, true,
        [
            Name(),
            new("address", FieldKind.Host) { Required = true, Help = "host name or IPv4" },
            new("protocol", FieldKind.Enum) { Default = "https", Required = true, Choices = ["http", "https"] },
            new("port", FieldKind.Int) { Min = 1, Max = 65535, Help = "not set: 80 for http, 443 for https" },
            new("user", FieldKind.String) { MaxLength = 64 },
            new("password", FieldKind.Secret) { MaxLength = 128, Help = "used against the bridge; never shown" },
        ]) { Help = "conference bridges" };
        yield return new("locations", C, true,
        [
            Name(),
            new("description", FieldKind.String),
        ]) { Help = "locations (their per-peer addresses are in location-addresses)" };
        yield return new("firewall", C, true,
        [
            Name(),
            new("priority", FieldKind.Int) { Required = true, Min = 1, Max = 65535, Help = "lower runs first" },
            new("source", FieldKind.CidrOrAny) { Default = "any", Required = true, Help = "a.b.c.d/n or any" },
            new("protocol", FieldKind.Enum) { Required = true, Choices = ["tcp", "udp", "icmp", "any"] },
            new("port", FieldKind.PortRange) { Help = "N or N-M; tcp/udp only" },
            new("action", FieldKind.Enum) { Required = true, Choices = ["accept", "drop", "reject"] },
            new("description", FieldKind.String),
        ]) { Help = "operator firewall rules", Validate = SectionRules.Firewall };
        yield return new("templates", C, true,
        [
            Name(),
            new("type", FieldKind.Enum) { Default = "meeting", Required = true, Choices = ["meeting", "lecture"] },
            new("maxParticipants", FieldKind.Int) { Min = 1, Max = 10000, Help = "not set: no limit" },
            new("description", FieldKind.String),
        ]) { Help = "conference templates", Validate = ReferenceRules.Template };
        yield return new("conferences", C, true,
        [
            Name(),
            new("bridge", FieldKind.String) { Required = true, MaxLength = 64, Help = "bridge hosting it (a bridges item)" },
            new("template", FieldKind.Token) { Required = true, Help = "the templates item it was created from" },
            new("participants", FieldKind.Int) { Default = 0, Required = true, Min = 0 },
            new("started", FieldKind.Time) { Required = true, Help = "ISO-8601" },
        ]) { Help = "conference status, shared so any peer can answer for a conference (R8)", IsStatus = true, Validate = ReferenceRules.Conference };
    }
}
