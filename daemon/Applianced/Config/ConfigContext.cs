namespace Appliance.Daemon.Config;

/// <summary>
/// What validation needs to know beyond the section value itself. Everything is optional:
/// rules whose input is missing are skipped (for example, no other peers means no R7 checks).
/// </summary>
public sealed record ConfigContext
{
    public static ConfigContext Default { get; } = new();

    /// <summary>This peer's ipv4.address; cluster.peers must contain it (R1).</summary>
    public string? OwnAddress { get; init; }

    /// <summary>True when this peer is in a cluster: ipv4 address/mask/gateway are then frozen (R7).</summary>
    public bool IsClustered { get; init; }

    /// <summary>The other peers' peer-scoped sections, for the cross-peer rules (R7).</summary>
    public IReadOnlyList<PeerView> OtherPeers { get; init; } = [];

    /// <summary>cluster.peers: every peer's cluster address, which no location address may take (R7).</summary>
    public IReadOnlyList<string> ClusterAddresses { get; init; } = [];

    /// <summary>
    /// The records rules between records read (a conference's bridge and template, a location, this
    /// peer's other location addresses); null (a single record checked on its own) skips those rules.
    /// </summary>
    public ConfigLookup? Lookup { get; init; }

    /// <summary>
    /// Name to kind ("ca" or "server") of the certificates installed on this peer, for
    /// certificates.trustedCa and serverCertificate; null (a value from a peer or a restore) skips the rule.
    /// </summary>
    public IReadOnlyDictionary<string, string>? InstalledCertificates { get; init; }

    /// <summary>
    /// Whether admin.password is set (a console login is possible); null when unknown, which skips
    /// the rule that SSH may be stopped only while a password is set.
    /// </summary>
    public bool? AdminPasswordSet { get; init; }

    /// <summary>True when this peer's ssh.enabled is false: then admin.password is its only way in.</summary>
    public bool OwnSshDisabled { get; init; }

    /// <summary>tzdata directory for time.zone; tests may point it elsewhere.</summary>
    public string ZoneInfoDir { get; init; } = "/usr/share/zoneinfo";
}
