using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Appliance.Daemon.Api;

/// <summary>
/// Who is at the other end of a Unix socket, as the kernel says (SO_PEERCRED: the process, user and
/// group at connect time). A client cannot lie about these, unlike about a "user" in its request.
/// </summary>
internal sealed record PeerCredentials(int Pid, int Uid, int Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private static readonly ConcurrentDictionary<int, string> Names = new();

    /// <summary>The user name of <see cref="Uid"/>, or "uid N" when /etc/passwd does not name it.</summary>
    public string UserName
    {
        get
        {
            if (Names.TryGetValue(Uid, out var name)) return name;
            name = LookUp(Uid);
            if (name is not null) Names[Uid] = name; // an account added later is still found
            return name ?? $"uid {Uid}";
        }
    }

    public bool IsRoot => Uid == 0;

    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        var n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (n != ucred.Length) throw new SocketException((int)SocketError.ProtocolOption);
        return new PeerCredentials(MemoryMarshal.Read<int>(ucred), MemoryMarshal.Read<int>(ucred[4..]), MemoryMarshal.Read<int>(ucred[8..]));
    }

    // Names are local accounts on the appliance; a uid that /etc/passwd does not know is still
    // recorded, by number.
    private static string? LookUp(int uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var parts = line.Split(':');
                if (parts.Length > 2 && int.TryParse(parts[2], out var u) && u == uid && parts[0].Length > 0) return parts[0];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
