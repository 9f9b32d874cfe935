using System.Security.Cryptography;

namespace Appliance.Sip;

/// <summary>Fresh identifiers: random, so they are unique across restarts and peers without coordination.</summary>
public static class SipIds
{
    /// <summary>A Via branch with RFC 3261's magic cookie.</summary>
    public static string NewBranch() => SipVia.MagicCookie + Random(12);

    /// <summary>A From/To tag (RFC 3261 19.3: at least 32 bits of randomness).</summary>
    public static string NewTag() => Random(8);

    public static string NewCallId(string host) => $"{Random(16)}@{host}";

    private static string Random(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
