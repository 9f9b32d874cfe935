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
            new("type", FieldKind.Enum) { Default = "telepresence-server", Required = true, Choices = BridgeTypes, Help = "the bridge's model family" },
            new("sipPort", FieldKind.Int) { Default = 5060, Required = true, Min = 1, Max = 65535, Help = "where the bridge takes SIP calls" },
            new("sipTransport", FieldKind.Enum) { Default = "udp", Required = true, Choices = ["udp", "tcp", "tls"], Help = "SIP transport to the bridge" },
        ]) { Help = "conference bridges (watched over their XML-RPC API by every peer: bridges status)" };
        yield return new("locations", C, true,
        [
            Name(),
            new("description", FieldKind.String),
            new("conferenceType", FieldKind.Enum) { Default = "rendezvous", Required = true, Choices = ["rendezvous", "adhoc", "both"], Help = "what calls the location's addresses take: rendezvous (a dialled conference alias), adhoc (calls escalated by the call processor), or both" },
            new("trunkAddress", FieldKind.Host) { Help = "the call processor's SIP trunk for this location: its host name or IPv4" },
            new("trunkPort", FieldKind.Int) { Min = 1, Max = 65535, Help = "the trunk's SIP port; not set: 5060, or 5061 for tls" },
            new("trunkTransport", FieldKind.Enum) { Default = "tcp", Required = true, Choices = ["udp", "tcp", "tls"], Help = "the trunk's SIP transport" },
        ]) { Help = "locations: what their addresses serve and the trunk to the call processor (per-peer addresses are in location-addresses)", Validate = SectionRules.Location };
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
            new("preference", FieldKind.Token) { Help = "the service-preferences item whose pools new conferences are placed on; not set: none is placed" },
            new("maxConferences", FieldKind.Int) { Min = 1, Max = 10000, Help = "live conferences of this template at once; not set: no limit" },
            new("lingerSeconds", FieldKind.Int) { Default = 10, Required = true, Min = 0, Max = 3600, Help = "how long an empty conference stays on its bridge before it is destroyed" },
            new("licence", FieldKind.Enum) { Default = "shared", Required = true, Choices = ["shared", "personal"], Help = "which multiparty licences (the cluster's sum, R14) its participants take" },
        ]) { Help = "conference templates", Validate = ReferenceRules.Template };
        foreach (var section in ConferencingSections())
            yield return section;
        yield return new("conferences", C, true,
        [
            Name(),
            new("bridge", FieldKind.String) { Required = true, MaxLength = 64, Help = "bridge hosting it (a bridges item)" },
            new("template", FieldKind.Token) { Required = true, Help = "the templates item it was created from" },
            new("participants", FieldKind.Int) { Default = 0, Required = true, Min = 0, Help = "participants no peer's B2BUA counts (0 when placed by one); conferences show adds each peer's conference-participants" },
            new("started", FieldKind.Time) { Required = true, Help = "ISO-8601" },
            new("placedBy", FieldKind.Token) { Help = "peer id of the peer that placed it (CONFERENCING.md: the split rule)" },
        ]) { Help = "conference status, shared so any peer can answer for a conference (R8)", IsStatus = true, Validate = ReferenceRules.Conference };
    }
}
