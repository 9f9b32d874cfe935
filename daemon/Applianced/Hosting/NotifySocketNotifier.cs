using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// Sends sd_notify datagrams to a given socket. Microsoft.Extensions.Hosting.Systemd's
/// <see cref="SystemdNotifier"/> does the same but only takes the path from the process
/// environment; this one takes it as an argument so a test can point it at its own listener.
/// </summary>
public sealed class NotifySocketNotifier : ISystemdNotifier
{
    private readonly string? _socketPath;

    /// <summary>Creates a notifier for <paramref name="notifySocket"/> (NOTIFY_SOCKET's value), disabled when null.</summary>
    public NotifySocketNotifier(string? notifySocket)
    {
        // A leading '@' names a socket in the abstract namespace, which the kernel spells with a NUL.
        _socketPath = string.IsNullOrEmpty(notifySocket) ? null
            : notifySocket[0] == '@' ? "\0" + notifySocket[1..]
            : notifySocket;
    }

    /// <inheritdoc />
    public bool IsEnabled => _socketPath is not null;

    /// <inheritdoc />
    /// <exception cref="SocketException">Nothing listens on the socket any more.</exception>
    public void Notify(ServiceState state)
    {
        if (_socketPath is null)
            return;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
        // A datagram of a few bytes fits any socket buffer, so the blocking send cannot stall.
        socket.Send(Encoding.UTF8.GetBytes(state.ToString()));
    }
}
