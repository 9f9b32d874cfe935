namespace Appliance.Hal.Lcd;

/// <summary>Timing and line settings of the CFA-635 driver.</summary>
public sealed record Cfa635Options
{
    /// <summary>115200 is the 635's default; 19200 is the other rate it accepts.</summary>
    public int BaudRate { get; init; } = 115200;

    /// <summary>How long one attempt waits for its response. lcdproc waits 250 ms; we allow more
    /// because the daemon shares a small CPU with other work.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Resends after a timeout before the command fails (every command we send is idempotent).</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Idle time after which the driver pings, so a dead display is noticed and reconnected.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>First wait before reopening a lost line; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reopen attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A write that does not finish in this time means the line is stuck (a hung-up pty blocks writes).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
