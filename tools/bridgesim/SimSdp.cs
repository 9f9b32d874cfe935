using System.Globalization;
using System.Net;
using System.Text;

namespace Appliance.BridgeSim;

/// <summary>
/// The simulator's SDP answer: one media line per line of the offer, same media, protocol and
/// formats, on this bridge's address and ports nothing listens on. Media never flows here; what
/// matters to the tests is that an answer comes back through the B2BUA unchanged.
/// </summary>
internal static class SimSdp
{
    private const int FirstMediaPort = 40_000;

    public static byte[] Answer(byte[] offer, IPAddress address)
    {
        var media = Encoding.UTF8.GetString(offer).Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith("m=", StringComparison.Ordinal)).ToList();
        if (media.Count == 0) media.Add("m=audio 0 RTP/AVP 0");
        var sdp = new StringBuilder()
            .Append("v=0\r\n")
            .Append(CultureInfo.InvariantCulture, $"o=bridgesim {Environment.TickCount64} 1 IN IP4 {address}\r\n")
            .Append("s=bridgesim\r\n")
            .Append(CultureInfo.InvariantCulture, $"c=IN IP4 {address}\r\n")
            .Append("t=0 0\r\n");
        for (var i = 0; i < media.Count; i++)
        {
            var parts = media[i][2..].Split(' ', 3);
            var rest = parts.Length == 3 ? parts[2] : "RTP/AVP 0";
            sdp.Append(CultureInfo.InvariantCulture, $"m={parts[0]} {FirstMediaPort + 2 * i} {rest}\r\n").Append("a=sendrecv\r\n");
        }
        return Encoding.UTF8.GetBytes(sdp.ToString());
    }
}
