using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Appliance.Daemon.Certificates;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Appliance.Daemon.Web;

/// <summary>
/// The HTTPS administration (DESIGN.md section 11): Kestrel on the management address, port 443
/// (--web-port, --web-bind), TLS 1.2 and 1.3 only with AEAD suites, no renegotiation, the
/// certificate chosen per handshake (<see cref="WebCertificate"/>). Host-agnostic: StartAsync and
/// StopAsync; <see cref="WebHostedService"/> adapts it to the generic host.
/// </summary>
public sealed class WebServer : IAsyncDisposable
{
    /// <summary>Largest form body; a backup upload raises it for its own request only.</summary>
    private const long MaxFormBytes = 1 << 20;

    private readonly PeerNode _node;
    private readonly DaemonOptions _options;
    private WebApplication? _app;
    private WebSite? _site;
    private WebCertificate? _certificate;
    private WebAddressApplier? _applier;
    private string? _lastError;

    public WebServer(PeerNode node, DaemonOptions options)
    {
        _node = node;
        _options = options;
    }

    public IPEndPoint? EndPoint { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var time = TimeProvider.System;
        _site = new WebSite(new WebApi(_node.Router, _node.Logs), new WebSessions(time, TimeSpan.FromSeconds(_options.WebIdleSeconds), new WebSessionStore(_node.Store)),
            new LoginGuard(_node.Config, _node.Logs, time), _node.Config);
        _certificate = new WebCertificate(_node.Config, _node.Certificates, _node.Logs);
        _certificate.Current(); // made (and logged) at the first start, not during someone's first handshake
        // Listening before the host reports ready; from then on the applier moves it with the management address.
        await ListenAsync(Wanted(), ct);
        _applier = new WebAddressApplier(_node.Appliers.Context, this);
        _node.Appliers.Add(_applier);
    }

    private IPAddress Wanted() => IPAddress.Parse(_options.WebBind ?? _options.Bind ?? _node.Config.LanAddress ?? "0.0.0.0");

    /// <summary>
    /// The applier's run (serialized by it): listens on the wanted address when it is not already
    /// served there, or after a failed bind; the end point served, or null and why not.
    /// </summary>
    internal async Task<(IPEndPoint? EndPoint, string? Error)> FollowAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var address = Wanted();
        if (EndPoint is null || !address.Equals(EndPoint.Address))
        {
            if (EndPoint is not null) _node.Logs.Event($"HTTPS administration moves to {address} (the management address changed)");
            // Not cancelled half-way: a listener stopped must be disposed, and one started recorded.
            await StopAppAsync(CancellationToken.None);
            await ListenAsync(address, CancellationToken.None);
        }
        return (EndPoint, _lastError);
    }

    private async Task ListenAsync(IPAddress address, CancellationToken ct)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.SetMinimumLevel(LogLevel.None);
        var certificate = _certificate!;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxFormBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            // Like the local API's bound: a browser opens a few; thousands must not cost thousands of tasks.
            kestrel.Limits.MaxConcurrentConnections = Api.ApiServer.MaxConnections;
            kestrel.Listen(address, _options.WebPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(Tls(certificate)),
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                });
            });
        });
        var app = builder.Build();
        app.Run(_site!.HandleAsync);
        try
        {
            await app.StartAsync(ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            // The pages are one door of several: a port taken or an address not (yet) on the box leaves the CLI and the cluster running.
            _lastError = $"not served on {address}:{_options.WebPort}: {e.Message}";
            _node.Logs.Event($"HTTPS administration {_lastError}", "warning");
            await app.DisposeAsync();
            EndPoint = null;
            return;
        }
        _app = app;
        _lastError = null;
        EndPoint = new IPEndPoint(address, _options.WebPort);
        _node.Logs.Event($"HTTPS administration on https://{EndPoint}/");
    }

    private static SslServerAuthenticationOptions Tls(WebCertificate certificate) =>
        ServerTls.Options(certificate.Current(), SslApplicationProtocol.Http11);

    public async Task StopAsync(CancellationToken ct)
    {
        // The applier first: once it is disposed no run can listen again behind the stop.
        if (Interlocked.Exchange(ref _applier, null) is { } applier)
        {
            _node.Appliers.Remove(applier);
            await applier.DisposeAsync();
        }
        await StopAppAsync(ct);
    }

    private async Task StopAppAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync(ct);
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
