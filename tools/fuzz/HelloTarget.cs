using System.Net;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Fuzz;

/// <summary>
/// The Hello a peer sends first on every connection. What the decoder accepts must also survive
/// the callers' use of it: every field readable, and encoding it again must decode to the same.
/// </summary>
internal sealed class HelloTarget : FuzzTarget
{
    public override string Name => "hello";

    public override string Description => "HelloMessage.Decode, then a re-encode round trip; refusal: ProtocolViolationException";

    public override string? Run(byte[] input)
    {
        HelloMessage hello;
        try
        {
            hello = HelloMessage.Decode(input);
        }
        catch (ProtocolViolationException e)
        {
            return e.Message;
        }
        var fields = new object?[] { hello.PeerId, hello.HostName, hello.SoftwareVersion, hello.Edition, hello.LicenceState, hello.Addresses, hello.VersionVector };
        if (fields.Any(f => f is null))
            throw new InvariantException("a decoded hello has a null field the callers dereference");
        var encoded = hello.Encode();
        if (!HelloMessage.Decode(encoded).Encode().AsSpan().SequenceEqual(encoded))
            throw new InvariantException("a decoded hello does not survive encoding and decoding again");
        return null;
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var hello = new HelloMessage("peer-a", "appliance-a", "1.0.0", ProtocolVersions.Current, "full", "valid", "c-1",
            ["192.0.2.10", "198.18.0.1"], new Dictionary<string, long> { ["peer-a"] = 12, ["peer-b"] = 3 });
        yield return ("hello", hello.Encode());
        yield return ("hello-joining", (hello with { ClusterId = null, Addresses = [], VersionVector = new Dictionary<string, long>() }).Encode());
    }

    public override IEnumerable<string> Tokens =>
    [
        "\"peerId\"", "\"hostName\"", "\"softwareVersion\"", "\"protocolVersion\"", "\"edition\"", "\"licenceState\"",
        "\"clusterId\"", "\"addresses\"", "\"versionVector\"", "null", "true", "false", "[]", "{}", "\\u0000", "\\ud800", "1e999", "-1",
    ];
}
