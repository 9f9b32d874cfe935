using System.Net;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Node;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class SipTrunk
{
    private ConferenceRoster? _roster;
    private ConferenceJanitor? _janitor;
    private SplitMover? _mover;
    private readonly CancellationTokenSource _stopCalls = new();
    private Task? _janitorLoop;
    private Task? _moverLoop;
    private OrphanSweeper? _sweeper;
    private Task? _sweeperLoop;
    private Func<BridgeWatcher>? _bridges;

    /// <summary>The B2BUA, once <see cref="EnableCalls"/> has given it placement; INVITEs get 480 before.</summary>
    public B2bua? Calls { get; private set; }

    /// <summary>Why new calls and keep-alives get 503 for now (the peer is catching up after a start), or null.</summary>
    public Func<string?>? Holding { get; set; }

    /// <summary>
    /// Calls are placed with <paramref name="placer"/>; their counts, the linger of empty conferences
    /// and the moves <paramref name="splits"/> decides (a placement of this peer that lost) run from
    /// <see cref="StartCallsAsync"/>.
    /// </summary>
    public void EnableCalls(ConferencePlacer placer, ConfigStore config, Func<BridgeWatcher> bridges, Func<IReadOnlyCollection<string>> activePeers,
        Func<bool> allMembersActive, SplitWatcher splits)
    {
        _bridges = bridges;
        _roster = new ConferenceRoster(config, _logs);
        Calls = new B2bua(Stack, TransportFor, placer, bridges, _roster, _logs, _time);
        _janitor = new ConferenceJanitor(config, bridges, activePeers, Calls.Holds, _logs, _time);
        _mover = new SplitMover(Calls, config, bridges, _logs, _time);
        _sweeper = new OrphanSweeper(config, bridges, activePeers, allMembersActive, Calls.Holds, _logs, _time);
        splits.HeldHere = _roster.Count;
        splits.Settled += _mover.OnSettled;
    }

    public async Task StartCallsAsync()
    {
        if (_roster is null || _janitor is null) return;
        await _roster.ClearStaleAsync();
        _janitorLoop = Task.Run(() => _janitor.RunAsync(_stopCalls.Token));
        if (_mover is { } mover) _moverLoop = Task.Run(() => mover.RunAsync(_stopCalls.Token));
        if (_sweeper is { } sweeper) _sweeperLoop = Task.Run(() => sweeper.RunAsync(_stopCalls.Token));
    }

    /// <summary>
    /// Leg B leaves from the trunk listener of the address the call came in on, over the bridge's
    /// transport: TLS from the TLS listener, which exists while a server certificate is selected (the
    /// bridge's in-dialog requests come back to it over TLS).
    /// </summary>
    private ISipTransport? TransportFor(IPAddress local, string protocol)
    {
        lock (_listeners)
        {
            if (protocol == "TLS") return _tls.GetValueOrDefault(local);
            return _listeners.TryGetValue(local, out var pair) ? protocol == "TCP" ? pair.Tcp : pair.Udp : null;
        }
    }

    private async Task StopCallsAsync()
    {
        if (Calls is not null) await Calls.HangUpAllAsync(TimeSpan.FromSeconds(2));
        await _stopCalls.CancelAsync();
        if (_janitorLoop is not null) await _janitorLoop;
        if (_moverLoop is not null) await _moverLoop;
        if (_sweeperLoop is not null) await _sweeperLoop;
    }
}
