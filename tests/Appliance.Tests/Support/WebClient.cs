using System.Net;
using System.Text.RegularExpressions;

namespace Appliance.Tests.Support;

/// <summary>
/// A plain HTTPS client of a peer's pages with its own cookie jar (one browser), redirects not
/// followed so a test sees them, and the peer's self-signed certificate accepted.
/// </summary>
public sealed partial class WebClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="from">The local address to connect from (another 127.0.0.x: another source for the peer).</param>
    public WebClient(string address, int port, string? from = null)
    {
        Base = new Uri($"https://{address}:{port}");
        var handler = new SocketsHttpHandler
        {
            CookieContainer = Cookies,
            UseCookies = true,
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        _http = new HttpClient(handler) { BaseAddress = Base, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Base { get; }
    public CookieContainer Cookies { get; } = new();

    /// <summary>Waits until the pages answer: the daemon's API is ready a moment before its HTTPS service listens.</summary>
    public static Task WaitServingAsync(string address, int port) =>
        Eventually.WaitUntil(async () =>
        {
            using var client = new WebClient(address, port);
            try { return (await client.GetAsync("/login")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(30), $"https://{address}:{port}/ answers");

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public async Task<string> GetTextAsync(string path) => await (await GetAsync(path)).Content.ReadAsStringAsync();

    public Task<HttpResponseMessage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields) =>
        _http.PostAsync(path, new FormUrlEncodedContent(fields));

    public Task<HttpResponseMessage> PostAsync(HttpRequestMessage request) => _http.SendAsync(request);

    /// <summary>The form token on the page at <paramref name="path"/>.</summary>
    public async Task<string> TokenAsync(string path)
    {
        var html = await GetTextAsync(path);
        return TokenPattern().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no form token on {path}:\n{html}");
    }

    /// <summary>Posts a form of the page at <paramref name="page"/> with that page's token.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string action, params (string Name, string Value)[] fields) =>
        await PostAsync(action, [new("_token", await TokenAsync(page)), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);

    public Task<HttpResponseMessage> LogInAsync(string user, string password) =>
        SubmitAsync("/login", "/login", ("user", user), ("password", password));

    [GeneratedRegex("name=\"_token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public void Dispose() => _http.Dispose();
}
