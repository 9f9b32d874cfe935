using System.Text;
using Appliance.Daemon.Store;

namespace Appliance.Tests.Persistence;

/// <summary>Peers compare these hashes during recovery: the value for a record must never change between builds.</summary>
public sealed class DigestHashTests
{
    // The definition: FNV-1a over the UTF-8 of "id|hlc|origin|deleted", then a final mix of the high bits.
    private static ulong Reference(StoredRecord r)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"{r.Id}|{r.Version.Hlc}|{r.Version.Origin}|{(r.Deleted ? 1 : 0)}"))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }

    [Theory]
    [InlineData("room-1", "{}")]
    [InlineData("", null)]
    [InlineData("salle-é-ü-中文", "{\"a\":1}")]
    // A surrogate pair (an emoji) straddling the 64-character chunks the hash encodes in.
    [InlineData("x123456789012345678901234567890123456789012\U0001F600-tail", "{}")] // the pair at chars 63 and 64 of the id
    [InlineData("a-very-long-key-0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", "{}")]
    public void Version_hash_is_fnv_of_the_utf8_text_of_the_version(string key, string? value)
    {
        var record = new StoredRecord(Scopes.Cluster, "conferences", key, value, new RecordVersion(1_234_567_890_123L, "0f6c0c5e-3c1a-4a8e-9b1e-8f1f2a3b4c5d"));
        Assert.Equal(Reference(record), DigestIndex.VersionHash(record));
    }
}
