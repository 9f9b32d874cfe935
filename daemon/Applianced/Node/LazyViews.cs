using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Appliance.Daemon.Node;

/// <summary>
/// A list computed on first use. The validation context offers every peer's settings to the rules
/// that need them (ipv4, location-addresses, ssh); built eagerly it cost ~20 LiteDB queries and
/// over 500 KB on every configuration change of any section (issue 19).
/// </summary>
internal sealed class LazyList<T>(Func<IReadOnlyList<T>> compute) : IReadOnlyList<T>
{
    private readonly Lazy<IReadOnlyList<T>> _items = new(compute);

    public T this[int index] => _items.Value[index];
    public int Count => _items.Value.Count;
    public IEnumerator<T> GetEnumerator() => _items.Value.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A dictionary computed on first use (see <see cref="LazyList{T}"/>).</summary>
internal sealed class LazyDictionary<TKey, TValue>(Func<IReadOnlyDictionary<TKey, TValue>> compute) : IReadOnlyDictionary<TKey, TValue>
{
    private readonly Lazy<IReadOnlyDictionary<TKey, TValue>> _items = new(compute);

    public TValue this[TKey key] => _items.Value[key];
    public IEnumerable<TKey> Keys => _items.Value.Keys;
    public IEnumerable<TValue> Values => _items.Value.Values;
    public int Count => _items.Value.Count;
    public bool ContainsKey(TKey key) => _items.Value.ContainsKey(key);
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => _items.Value.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => _items.Value.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
