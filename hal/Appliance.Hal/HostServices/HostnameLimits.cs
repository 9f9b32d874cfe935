namespace Appliance.Hal.HostServices;

/// <summary>What the host takes as its static host name, for callers that validate before they store one.</summary>
public static class HostnameLimits
{
    /// <summary>
    /// The longest static host name: the kernel keeps the node name in 64 bytes (__NEW_UTS_LEN) and
    /// hostnamed refuses longer ones (HOST_NAME_MAX), whatever DNS would allow.
    /// </summary>
    public const int MaxLength = 64;
}
