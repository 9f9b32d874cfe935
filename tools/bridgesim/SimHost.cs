using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Bridges.XmlRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.BridgeSim;

/// <summary>
/// Kestrel serving POST /RPC2 on the HTTP and HTTPS endpoints given. A call body over
/// <see cref="XmlRpcLimits.MaxBytes"/> or one that is not XML-RPC gets a fault, as a bridge answers.
/// </summary>
internal sealed class SimHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BridgeApi _api;
    private readonly SimSwitches _switches;
    private readonly TaskCompletionSource _died = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SipUserAgent? _sip;

    private SimHost(WebApplication app, BridgeApi api, SimSwitches switches)
    {
        _app = app;
        _api = api;
        _switches = switches;
    }

    public IReadOnlyList<string> Urls => [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];

    /// <summary>The conferences the API and the SIP user agent share.</summary>
    public ConferenceBook Book { get; private init; } = null!;

    /// <summary>Where the SIP user agent listens (UDP and TCP); null without --sip.</summary>
    public System.Net.IPEndPoint? Sip => _sip?.LocalEndPoint;

    /// <summary>Where the SIP user agent takes TLS; null without --sip-tls.</summary>
    public System.Net.IPEndPoint? SipTls => _sip?.TlsEndPoint;

    public static async Task<SimHost> StartAsync(SimOptions options)
    {
        var switches = new SimSwitches();
        switches.Apply(options.Switches);
        var book = new ConferenceBook(switches, TimeProvider.System);
        var api = new BridgeApi(options, switches, book, TimeProvider.System);
        var certificate = options.CertFile is null ? null : LoadCertificate(options.CertFile!, options.KeyFile!);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = XmlRpcLimits.Default.MaxBytes;
            k.AddServerHeader = false;
            if (options.Http is { } http) k.Listen(http);
            if (options.Https is { } https) k.Listen(https, l => l.UseHttps(certificate!));
        });
        var app = builder.Build();
        var host = new SimHost(app, api, switches) { Book = book };
        app.Run(host.ServeAsync);
        if (options.Sip is { } sip) host._sip = SipUserAgent.Start(sip, options.SipTls, certificate, book, switches);
        await app.StartAsync();
        return host;
    }

    /// <summary>Until SIGTERM/SIGINT, or a sim.set die=true.</summary>
    public Task WaitAsync() => Task.WhenAny(_app.WaitForShutdownAsync(), _died.Task);

    private async Task ServeAsync(HttpContext context)
    {
        if (context.Request.Path != "/RPC2")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        var ct = context.RequestAborted;
        byte[] reply;
        XmlRpcCall? call = null;
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, ct);
            call = XmlRpcReader.ReadCall(body.ToArray());
            reply = XmlRpcWriter.Response(_api.Handle(call));
        }
        catch (SimFault f)
        {
            reply = XmlRpcWriter.Fault(f.Code, f.Message);
        }
        catch (XmlRpcFormatException e)
        {
            reply = XmlRpcWriter.Fault(BridgeFaults.InvalidParameter, $"not an XML-RPC call: {e.Message}");
        }
        catch (BadHttpRequestException e)
        {
            reply = XmlRpcWriter.Fault(BridgeFaults.InvalidParameter, $"call refused: {e.Message}");
        }
        if (call is null || !BridgeApi.IsControl(call.Method))
        {
            if (_switches.Hang) await Task.Delay(Timeout.Infinite, ct);
            if (_switches.DelayMs > 0) await Task.Delay(_switches.DelayMs, ct);
        }
        context.Response.ContentType = "text/xml";
        context.Response.ContentLength = reply.Length;
        await context.Response.Body.WriteAsync(reply, ct);
        if (_api.DieRequested)
        {
            await context.Response.CompleteAsync();
            _died.TrySetResult();
        }
    }

    /// <summary>Through PKCS#12, so the key is one the TLS server on Linux can use.</summary>
    private static X509Certificate2 LoadCertificate(string certFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        // Death is abrupt: connections drop without a reply, like a bridge that loses power.
        await _app.StopAsync(_died.Task.IsCompleted ? new CancellationToken(true) : CancellationToken.None);
        await _app.DisposeAsync();
        if (_sip is not null) await _sip.DisposeAsync();
    }
}
