using Appliance.Tests.Support;

namespace Appliance.Tests.Web;

/// <summary>One standalone peer serving its HTTPS pages on its loopback address, admin password set; shared by a test class.</summary>
public class WebPeer : IAsyncLifetime
{
    public const string User = "admin";
    public const string Password = WebBrowserTests.Password;

    private readonly StandaloneDaemon _d;

    public WebPeer() : this([]) { }

    protected WebPeer(IEnumerable<string> extraArgs) =>
        _d = new StandaloneDaemon(bind: true, extraArgs: ["--web-port", $"{WebBrowserTests.Port}", .. extraArgs]);

    public DaemonProcess Daemon => _d.Daemon;
    public string Address => _d.Daemon.Bind!;

    public WebClient Client(string? from = null) => new(Address, WebBrowserTests.Port, from);

    /// <summary>A client with a logged-in session.</summary>
    public async Task<WebClient> LoggedInAsync()
    {
        var client = Client();
        var answer = await client.LogInAsync(User, Password);
        Assert.Equal(System.Net.HttpStatusCode.SeeOther, answer.StatusCode);
        return client;
    }

    public async Task InitializeAsync()
    {
        await _d.Daemon.StartAsync();
        await _d.Daemon.Set("admin.password", Password);
        await WebClient.WaitServingAsync(Address, WebBrowserTests.Port);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();
}

/// <summary>A peer whose sessions end after 3 idle seconds.</summary>
public sealed class ShortIdleWebPeer() : WebPeer(["--web-idle-seconds", "3"]);
