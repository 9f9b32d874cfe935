namespace Appliance.Daemon.Config;

/// <summary>Where a section's records live (DESIGN.md section 4).</summary>
public enum ConfigScope
{
    /// <summary>Shared: replicated to and applied on every peer.</summary>
    Cluster,

    /// <summary>Peer-specific: written only by its owner, replicated read-only (R6, R7).</summary>
    Peer,

    /// <summary>Never leaves the box (cluster key, root password hash).</summary>
    Local,
}
