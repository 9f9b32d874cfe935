namespace Appliance.Tests.Support;

/// <summary>One standalone daemon in its own temp directory (no cluster address unless asked).</summary>
public sealed class StandaloneDaemon : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();

    public StandaloneDaemon(bool bind = false, IEnumerable<string>? extraArgs = null, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? launcher = null) =>
        Daemon = new DaemonProcess(_dir["data"], _dir["api.sock"], bind ? LoopbackAddresses.Next() : null, extraArgs, environment) { Launcher = launcher ?? [] };

    public DaemonProcess Daemon { get; }
    public string Root => _dir.Path;
    public string this[string name] => _dir[name];

    /// <summary>A second process on the same data directory, with its own socket.</summary>
    public DaemonProcess Twin() => new(Daemon.DataDir, _dir["twin.sock"]);

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        _dir.Dispose();
    }
}
