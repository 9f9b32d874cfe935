namespace Appliance.Daemon.Config;

public static partial class ConfigSchema
{
    public static readonly string[] EthernetSpeeds = ["auto", "10half", "10full", "100half", "100full", "1000full"];

    private static IEnumerable<SectionDef> PeerSections()
    {
        const ConfigScope P = ConfigScope.Peer;
        yield return new("system", P, false,
        [
            new("hostname", FieldKind.HostName) { Default = "appliance", Required = true, Help = "host name (RFC 1123, at most 64 characters)" },
            new("domain", FieldKind.DomainName) { Help = "DNS domain" },
        ]) { Help = "host name and DNS domain" };
        yield return new("ethernet", P, false,
        [
            new("speed", FieldKind.Enum) { Default = "auto", Required = true, Choices = EthernetSpeeds },
        ]) { Help = "LAN Ethernet speed and duplex" };
        yield return new("ipv4", P, false,
        [
            new("address", FieldKind.Ipv4) { Help = "primary LAN address" },
            new("mask", FieldKind.Mask) { Help = "net mask, dotted (24 or /24 accepted)" },
            new("gateway", FieldKind.Ipv4) { Help = "default gateway, inside address/mask" },
            new("additional", FieldKind.Ipv4List) { MaxCount = 16, Help = "additional addresses of this peer" },
        ]) { Help = "LAN IPv4 settings", Validate = SectionRules.Ipv4 };
        yield return new("dns", P, false,
        [
            new("servers", FieldKind.Ipv4List) { MaxCount = 5, Help = "DNS servers (IPv4)" },
        ]) { Help = "DNS servers" };
        yield return new("ntp", P, false,
        [
            new("servers", FieldKind.HostList) { MaxCount = 5, Help = "NTP servers (host names or IPv4)" },
        ]) { Help = "NTP servers" };
        yield return new("time", P, false,
        [
            new("zone", FieldKind.TimeZone) { Default = "UTC", Required = true, Help = "tzdata zone name" },
        ]) { Help = "time zone" };
        yield return new("snmp", P, false,
        [
            Enabled(false),
            new("community", FieldKind.Secret) { MaxLength = 64, Help = "SNMP community (never shown)" },
            new("contact", FieldKind.String) { MaxLength = 128 },
            new("location", FieldKind.String) { MaxLength = 128 },
        ]) { Help = "SNMP agent", Validate = SectionRules.Snmp };
        yield return new("syslog", P, false,
        [
            new("servers", FieldKind.SyslogList) { MaxCount = 4, Help = "host[:port][/udp|tcp|tls]" },
        ]) { Help = "remote syslog servers" };
        yield return new("ssh", P, false, [Enabled(true)])
        {
            Help = "SSH service (false needs admin.password, for the console login)", Validate = SectionRules.Ssh,
        };
        yield return new("lcd", P, false, [Enabled(true)]) { Help = "front-panel LCD" };
        yield return new("certificates", P, false,
        [
            new("trustedCa", FieldKind.Token) { Help = "CA bundle (certificates add-ca) TLS syslog servers are checked against; not set: the system's CAs" },
            new("serverCertificate", FieldKind.Token) { Help = "server certificate (certificates add-server) this peer's HTTPS service presents" },
        ]) { Help = "which installed certificates this peer uses", Validate = SectionRules.Certificates };
        yield return new("location-addresses", P, true,
        [
            Name(),
            new("adhoc", FieldKind.Ipv4) { Help = "this peer's ad hoc address for the location" },
            new("rendezvous", FieldKind.Ipv4) { Help = "this peer's rendezvous address for the location" },
        ]) { Help = "per-peer addresses a Location assigns to this peer (item name = location name)" };
    }
}
