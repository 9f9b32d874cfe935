namespace Appliance.Hal;

/// <summary>
/// The appliance's own nftables table (<c>inet appliance</c>). Each apply replaces the whole
/// table atomically; to restore a previous rule set (the daemon's accept window), apply it again.
/// </summary>
public interface IFirewall
{
    /// <summary>Replaces the appliance table with <paramref name="ruleset"/> in one transaction.</summary>
    Task ApplyAsync(FirewallRuleset ruleset, CancellationToken cancellationToken = default);

    /// <summary>Reads the active table back; null when the appliance has no table.</summary>
    Task<FirewallState?> ReadBackAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the appliance table (no error when there is none).</summary>
    Task RemoveAsync(CancellationToken cancellationToken = default);
}
