namespace Appliance.Daemon.Bridges.XmlRpc;

/// <summary>A document that is not XML-RPC, or passes one of the <see cref="XmlRpcLimits"/>: refused as a whole.</summary>
public sealed class XmlRpcFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A well-formed fault reply: the other side refused the call with a code and a text.</summary>
public sealed class XmlRpcFaultException(int code, string text) : Exception($"fault {code}: {text}")
{
    public int Code { get; } = code;
    public string Text { get; } = text;
}
