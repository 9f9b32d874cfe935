using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Bridges;

/// <summary>
/// A bridge's XML-RPC API over HTTP or HTTPS (BridgeClient.Calls.cs has the typed calls). The
/// credentials travel as authenticationUser/authenticationPassword in each call's struct, as this
/// family expects. HTTPS servers are checked against <see cref="BridgeTls.TrustedRoots"/> alone when
/// given, else the system's CAs, and always by name (BridgeClient.Tls.cs). Replies are read up to
/// <see cref="XmlRpcLimits.MaxBytes"/> and refused whole beyond it. Every failure is a
/// <see cref="BridgeCallException"/> sorted into a bridge state with a reason. Thread-safe; one
/// HTTP connection pool per client, so keep one client per bridge and settings.
/// </summary>
public sealed partial class BridgeClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    private readonly HttpClient _http;
    private readonly XmlRpcLimits _limits;
    private readonly TimeSpan _timeout;

    public BridgeClient(BridgeEndpoint endpoint, BridgeTls? tls = null, TimeSpan? timeout = null, XmlRpcLimits? limits = null)
    {
        Endpoint = endpoint;
        Tls = tls ?? BridgeTls.System;
        _timeout = timeout ?? DefaultTimeout;
        _limits = limits ?? XmlRpcLimits.Default;
        _http = new HttpClient(Handler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public BridgeEndpoint Endpoint { get; }
    public BridgeTls Tls { get; }

    /// <summary>
    /// One call: <paramref name="args"/> (credentials added) as the single struct parameter, the
    /// reply's value back. Faults, transport errors and bad replies become <see cref="BridgeCallException"/>.
    /// </summary>
    public async Task<object> CallAsync(string method, XmlRpcStruct? args, CancellationToken ct)
    {
        var call = args is null ? new XmlRpcStruct() : new XmlRpcStruct(args);
        if (Endpoint.User is { } user)
        {
            call["authenticationUser"] = user;
            call["authenticationPassword"] = Endpoint.Password ?? "";
        }
        byte[] body;
        try { body = XmlRpcWriter.Call(method, call); }
        catch (XmlRpcFormatException e) { throw new BridgeCallException(BridgeStates.Refused, $"{method}: {e.Message}", inner: e); }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            var reply = await PostAsync(body, timeout.Token).ConfigureAwait(false);
            return XmlRpcReader.ReadResponse(reply, _limits);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new BridgeCallException(BridgeStates.Unreachable, $"no answer to {method} within {_timeout.TotalSeconds:0.#} s");
        }
        catch (XmlRpcFaultException f)
        {
            var state = BridgeFaults.IsAuthentication(f.Code) ? BridgeStates.AuthFailed
                : BridgeFaults.IsBusy(f.Code) ? BridgeStates.Overloaded : BridgeStates.Refused;
            var who = state == BridgeStates.AuthFailed ? $" (user '{Endpoint.User ?? "(none)"}')" : "";
            throw new BridgeCallException(state, $"{method}: fault {f.Code}: {Clip(f.Text)}{who}", f.Code, f);
        }
        catch (XmlRpcFormatException e)
        {
            throw new BridgeCallException(BridgeStates.Refused, $"{method}: the reply is not XML-RPC: {e.Message}", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw Sorted(method, e);
        }
        catch (ObjectDisposedException e)
        {
            // The watcher replaced this client (the bridge's settings or the trust changed): ask it for the new one.
            throw new BridgeCallException(BridgeStates.Unreachable, $"{method}: the client of {Endpoint.Describe()} was closed (its settings changed); call again", inner: e);
        }
        catch (IOException e)
        {
            // The connection broke while the reply was being read (the bridge went away mid-answer).
            throw new BridgeCallException(BridgeStates.Unreachable, $"{method} to {Endpoint.Describe()}: the reply broke off: {Innermost(e)}", inner: e);
        }
    }

    private async Task<byte[]> PostAsync(byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.ApiUri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "utf-8" };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new BridgeCallException(BridgeStates.AuthFailed, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} (user '{Endpoint.User ?? "(none)"}')");
        if (!response.IsSuccessStatusCode)
            throw new BridgeCallException(BridgeStates.Refused, $"HTTP {(int)response.StatusCode} {Clip(response.ReasonPhrase ?? "")}".TrimEnd());
        if (response.Content.Headers.ContentLength > _limits.MaxBytes)
            throw TooLarge($" ({response.Content.Headers.ContentLength} bytes)");
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new byte[Math.Min(_limits.MaxBytes + 1, 64 * 1024)];
        using var reply = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (reply.Length + read > _limits.MaxBytes)
                throw TooLarge("");
            reply.Write(buffer, 0, read);
        }
        return reply.ToArray();
    }

    private BridgeCallException TooLarge(string size) =>
        new(BridgeStates.Refused, $"the reply{size} is larger than the limit of {_limits.MaxBytes} bytes");

    /// <summary>A transport failure as a bridge state: no connection is "unreachable", a TLS refusal names the certificate.</summary>
    private BridgeCallException Sorted(string method, HttpRequestException e)
    {
        if (e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException)
        {
            var why = TakeRefusal() ?? Innermost(e);
            return new BridgeCallException(BridgeStates.Refused, $"TLS with {Endpoint.Describe()} failed: {why}", inner: e);
        }
        var state = e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.ResponseEnded or HttpRequestError.Unknown
            ? BridgeStates.Unreachable : BridgeStates.Refused;
        return new BridgeCallException(state, $"{method} to {Endpoint.Describe()}: {Innermost(e)}", inner: e);
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return Clip(e.Message);
    }

    /// <summary>Text from the other side, made safe to store and show (one line, no control characters, bounded).</summary>
    internal static string Clip(string text)
    {
        var line = TextRules.Escape(text.ReplaceLineEndings(" "));
        return line.Length > 200 ? line[..200] + "..." : line;
    }

    public void Dispose() => _http.Dispose();
}
