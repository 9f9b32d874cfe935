namespace Appliance.Sip;

/// <summary>One header line as received or to be sent (name already normalized).</summary>
public readonly record struct SipHeader(string Name, string Value);

/// <summary>
/// The header fields of a message in their order. Names compare without case after compact forms
/// are expanded. <see cref="GetAll"/> gives one entry per value, splitting comma lists of the headers
/// that allow them, so "Via: a, b" and two Via lines read the same.
/// </summary>
public sealed class SipHeaders
{
    private readonly List<SipHeader> _lines = [];

    public IReadOnlyList<SipHeader> Lines => _lines;

    /// <summary>The first value of <paramref name="name"/> (the first of a comma list too), or null.</summary>
    public string? this[string name] => GetAll(name).FirstOrDefault();

    /// <summary>Every value of <paramref name="name"/>, in order, comma lists split.</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        name = SipHeaderNames.Normalize(name);
        var split = SipHeaderNames.IsList(name);
        var values = new List<string>();
        foreach (var h in _lines)
        {
            if (!string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
            if (!split) values.Add(h.Value);
            else values.AddRange(SipText.SplitOutsideQuotes(h.Value, ',').Select(v => v.Trim()).Where(v => v.Length > 0));
        }
        return values;
    }

    public bool Contains(string name)
    {
        name = SipHeaderNames.Normalize(name);
        return _lines.Exists(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    public void Add(string name, string value) => _lines.Add(new(SipHeaderNames.Normalize(name), value));

    /// <summary>Adds before every other line of that name (a new top Via, a Record-Route of this hop).</summary>
    public void Prepend(string name, string value)
    {
        name = SipHeaderNames.Normalize(name);
        var first = _lines.FindIndex(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        _lines.Insert(first < 0 ? _lines.Count : first, new(name, value));
    }

    /// <summary>Replaces every line of that name with one.</summary>
    public void Set(string name, string value)
    {
        name = SipHeaderNames.Normalize(name);
        var first = _lines.FindIndex(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        Remove(name);
        _lines.Insert(first < 0 ? _lines.Count : first, new(name, value));
    }

    public void Remove(string name)
    {
        name = SipHeaderNames.Normalize(name);
        _lines.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Removes the first value of a list header (the top Via of a response passing this hop).</summary>
    public void RemoveFirstValue(string name)
    {
        var values = GetAll(name).ToList();
        if (values.Count == 0) return;
        values.RemoveAt(0);
        var first = _lines.FindIndex(h => string.Equals(h.Name, SipHeaderNames.Normalize(name), StringComparison.OrdinalIgnoreCase));
        Remove(name);
        foreach (var v in Enumerable.Reverse(values)) _lines.Insert(first, new(SipHeaderNames.Normalize(name), v));
    }

    public SipHeaders Clone()
    {
        var copy = new SipHeaders();
        copy._lines.AddRange(_lines);
        return copy;
    }
}
