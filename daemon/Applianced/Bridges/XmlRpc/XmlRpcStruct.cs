namespace Appliance.Daemon.Bridges.XmlRpc;

/// <summary>
/// An XML-RPC struct. Values are int, bool, string, double, DateTime (UTC), byte[] (base64),
/// <see cref="XmlRpcStruct"/> or object[] (array). The typed getters refuse a missing member or
/// one of another type with an <see cref="XmlRpcFormatException"/> naming the member, so a reply
/// from a bridge that differs from what this peer expects is refused by name, never half used.
/// </summary>
public sealed class XmlRpcStruct() : Dictionary<string, object>(StringComparer.Ordinal)
{
    public XmlRpcStruct(IEnumerable<KeyValuePair<string, object>> members) : this()
    {
        foreach (var (k, v) in members) Add(k, v);
    }

    public int Int(string member) => Get<int>(member, "an int");

    public string String(string member) => Get<string>(member, "a string");

    public bool Bool(string member) => Get<bool>(member, "a boolean");

    public DateTime Time(string member) => Get<DateTime>(member, "a dateTime.iso8601");

    public XmlRpcStruct Struct(string member) => Get<XmlRpcStruct>(member, "a struct");

    public object[] Array(string member) => Get<object[]>(member, "an array");

    public int? OptionalInt(string member) => ContainsKey(member) ? Int(member) : null;

    public string? OptionalString(string member) => ContainsKey(member) ? String(member) : null;

    public DateTime? OptionalTime(string member) => ContainsKey(member) ? Time(member) : null;

    public bool? OptionalBool(string member) => ContainsKey(member) ? Bool(member) : null;

    /// <summary>The structs of an array member (each element must be one).</summary>
    public IEnumerable<XmlRpcStruct> Structs(string member) =>
        Array(member).Select((e, i) => e as XmlRpcStruct ?? throw new XmlRpcFormatException($"{member}[{i}] is {XmlRpcValues.Describe(e)}, not a struct"));

    private T Get<T>(string member, string what)
    {
        if (!TryGetValue(member, out var value))
            throw new XmlRpcFormatException($"member '{member}' is missing");
        return value is T typed ? typed : throw new XmlRpcFormatException($"member '{member}' is {XmlRpcValues.Describe(value)}, not {what}");
    }
}

/// <summary>Names of XML-RPC value types, for messages.</summary>
public static class XmlRpcValues
{
    public static string Describe(object? value) => value switch
    {
        int => "an int",
        bool => "a boolean",
        string => "a string",
        double => "a double",
        DateTime => "a dateTime.iso8601",
        byte[] => "base64",
        XmlRpcStruct => "a struct",
        object[] => "an array",
        null => "nothing",
        _ => value.GetType().Name,
    };
}
