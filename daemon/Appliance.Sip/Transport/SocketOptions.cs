using System.Net;
using System.Net.Sockets;

namespace Appliance.Sip;

internal static class SocketOptions
{
    private const int SolIp = 0;
    private const int IpFreebind = 15;

    /// <summary>
    /// Lets a listener bind an address that is not (yet) on an interface, so a rendezvous address
    /// added to the host later is served without rebinding (Linux IP_FREEBIND).
    /// </summary>
    public static void AllowFreeBind(Socket socket, IPEndPoint local)
    {
        if (local.AddressFamily != AddressFamily.InterNetwork || !OperatingSystem.IsLinux()) return;
        socket.SetRawSocketOption(SolIp, IpFreebind, BitConverter.GetBytes(1));
    }
}
