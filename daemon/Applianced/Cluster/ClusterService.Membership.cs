using System.Net;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Daemon.Cluster;

public sealed partial class ClusterService
{
    /// <summary>Brings listener, dialers and links in line with the settings. Safe to call any time.</summary>
    public async Task ReconfigureAsync()
    {
        StartLoop();
        var before = Settings;
        Settings = ClusterSettings.Load(Store);
        PrepareSecret();
        var own = _info.OwnAddress();
        // Live sessions were authenticated with the old key and introduced with the old list:
        // start them again so a changed key or list takes effect at once (R11).
        if (before.Key != Settings.Key || !before.Peers.SequenceEqual(Settings.Peers))
        {
            await RestartSessionsAsync();
            foreach (var link in Links) link.Redial(); // a refusal under the old key or list may not hold now
        }
        if (!Settings.Clustered || own is null)
        {
            await StopAllAsync();
            RaiseChanged();
            return;
        }
        if (Settings.ClusterId is null && Settings.Peers.Count == 1 && Settings.Peers[0] == own) Form();

        var endPoint = new IPEndPoint(IPAddress.Parse(own), _info.ReplicationPort);
        if (!endPoint.Equals(_listening))
        {
            if (_listener is not null) await _listener.DisposeAsync();
            await StopRecoveryListenerAsync();
            _listener = _transport.Listen(endPoint, (ch, ct) => AcceptAsync(ch, ct), IsListedPeer, StrangerRefused);
            StartRecoveryListener(endPoint.Address);
            _listening = endPoint;
            Logs.Event($"cluster: listening on {endPoint}");
        }
        lock (_gate)
        {
            var wanted = Settings.Peers.Where(a => a != own).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _links.Keys.Where(a => !wanted.Contains(a)).ToList())
            {
                _dialers.Remove(gone, out var cts);
                cts?.Cancel();
                _links.Remove(gone);
            }
            foreach (var address in wanted.Where(a => !_links.ContainsKey(a)))
            {
                var link = new PeerLink(address, Time);
                link.Changed += RaiseChanged;
                link.Activated += () => ScheduleConnectPull(link);
                _links[address] = link;
                var cts = new CancellationTokenSource();
                _dialers[address] = cts;
                _ = Task.Run(() => DialLoop(link, IPAddress.Parse(own), cts.Token));
            }
        }
        RaiseChanged();
    }

    private async Task DialLoop(PeerLink link, IPAddress own, CancellationToken ct)
    {
        string? lastError = null;
        var derived = false;
        while (!ct.IsCancellationRequested)
        {
            var sessions = _sessions.Token;
            var afterDerivation = derived;
            derived = false;
            try
            {
                using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, sessions);
                await using var channel = await _transport.ConnectAsync(new IPEndPoint(IPAddress.Parse(link.Address), _info.ReplicationPort), both.Token, own);
                lastError = null;
                await new OutboundSession(this, link, channel).RunAsync(both.Token);
            }
            catch (KeyMismatchException)
            {
                link.Refused(PeerReasons.KeyMismatch, null);
            }
            catch (ProofRefusedException e) when (e.SecretReady is { } ready && !afterDerivation)
            {
                // The peer announced the id of the cluster we are joining: dial again as soon as its
                // secret is derived. Once in a row: a peer announcing a new id every time waits as usual.
                derived = true;
                try { await ready.WaitAsync(ct); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
                catch (Exception) { } // a failed derivation shows on the next attempt
                continue;
            }
            catch (ProofRefusedException e) when (e.Refusal != ProofRefusal.SecretNotReady)
            {
                link.Refused(e.Refusal switch
                {
                    ProofRefusal.OtherCluster => PeerReasons.OtherCluster,
                    ProofRefusal.ProtocolVersion => PeerReasons.ProtocolMismatch,
                    _ => PeerReasons.PeerListMismatch,
                }, e.Refusal == ProofRefusal.NotListed ? "this peer does not list you" : e.Detail);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                link.Down(outbound: true);
                link.Attempted();
                var error = $"{e.GetType().Name}: {e.Message}";
                if (error != lastError && e is not OperationCanceledException)
                    Logs.Event($"cluster: link to {link.Address}: {error}", "warning");
                lastError = error;
            }
            try { await link.WaitToRedialAsync(link.Reason == PeerReasons.Joining ? TimeSpan.FromMilliseconds(50) : RetryDelay, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task AcceptAsync(PeerChannel channel, CancellationToken ct)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, _sessions.Token);
        try
        {
            await new InboundSession(this, channel).RunAsync(both.Token);
        }
        catch (Exception e) when (e is ProtocolViolationException or IOException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            if (e is ProtocolViolationException or TimeoutException)
                Logs.Event($"cluster: connection from {channel.RemoteEndPoint}: {e.Message}", "warning");
        }
    }

    private async Task StopAllAsync()
    {
        List<CancellationTokenSource> dialers;
        lock (_gate)
        {
            dialers = _dialers.Values.ToList();
            _dialers.Clear();
            _links.Clear();
        }
        foreach (var d in dialers) await d.CancelAsync();
        await RestartSessionsAsync();
        if (_listener is not null) await _listener.DisposeAsync();
        await StopRecoveryListenerAsync();
        _listener = null;
        _listening = null;
    }

    /// <summary>Closes every session so each link comes back with a fresh Hello (after a join or form).</summary>
    private async Task RestartSessionsAsync()
    {
        var old = _sessions;
        _sessions = new CancellationTokenSource();
        await old.CancelAsync();
    }

    private void RaiseChanged()
    {
        ClusterAlarms.Update(this);
        Changed?.Invoke();
    }
}
