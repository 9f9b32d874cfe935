namespace Appliance.Hal;

/// <summary>In-memory firewall for <c>--hal simulated</c> and the demo; keeps the rendered script so it can be shown.</summary>
public sealed class SimulatedFirewall : IFirewall
{
    private readonly Lock _lock = new();
    private FirewallRuleset? _active;

    /// <summary>The nft script the active rule set would load, or null when none is active.</summary>
    public string? ActiveScript { get; private set; }

    /// <inheritdoc />
    public Task ApplyAsync(FirewallRuleset ruleset, CancellationToken cancellationToken = default)
    {
        var script = NftRenderer.Render(ruleset); // validates, like the real one
        lock (_lock)
        {
            _active = ruleset;
            ActiveScript = script;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<FirewallState?> ReadBackAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_active is null ? null : new FirewallState(_active, []));
    }

    /// <inheritdoc />
    public Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _active = null;
            ActiveScript = null;
        }
        return Task.CompletedTask;
    }
}
