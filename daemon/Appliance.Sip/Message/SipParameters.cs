using System.Text;

namespace Appliance.Sip;

/// <summary>
/// The ";name=value" parameters of a URI, a Via or a name-address, in their order; names compare
/// without case. A parameter without "=" has a null value (";lr", ";rport").
/// </summary>
public sealed class SipParameters
{
    private readonly List<KeyValuePair<string, string?>> _items = [];

    public int Count => _items.Count;
    public IEnumerable<KeyValuePair<string, string?>> Items => _items;

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value, or null when absent or valueless (use <see cref="Contains"/> to tell them apart).</summary>
    public string? this[string name]
    {
        get => IndexOf(name) is var i and >= 0 ? _items[i].Value : null;
        set
        {
            var i = IndexOf(name);
            if (i >= 0) _items[i] = new(_items[i].Key, value);
            else _items.Add(new(name, value));
        }
    }

    public void Remove(string name)
    {
        if (IndexOf(name) is var i and >= 0) _items.RemoveAt(i);
    }

    private int IndexOf(string name) => _items.FindIndex(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses "a=b;c" (text after the first ';'); <paramref name="what"/> names the owner in errors.</summary>
    internal static SipParameters Parse(ReadOnlySpan<char> text, string what)
    {
        var result = new SipParameters();
        foreach (var part in SipText.SplitOutsideQuotes(text, ';'))
        {
            var p = part.Trim();
            if (p.Length == 0) throw new SipParseException($"{what}: empty parameter");
            var eq = p.IndexOf('=');
            var name = (eq < 0 ? p : p[..eq]).Trim();
            if (!SipText.IsToken(name)) throw new SipParseException($"{what}: parameter name '{name}' is not a token");
            result._items.Add(new(name.ToString(), eq < 0 ? null : p[(eq + 1)..].Trim().ToString()));
        }
        return result;
    }

    public SipParameters Clone()
    {
        var copy = new SipParameters();
        copy._items.AddRange(_items);
        return copy;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in _items) sb.Append(';').Append(k).Append(v is null ? "" : "=" + v);
        return sb.ToString();
    }
}
