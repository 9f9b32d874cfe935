using System.Runtime.InteropServices;

namespace Appliance.Tests.Harness;

/// <summary>
/// A test that needs root: network namespaces, veth, nftables, packet capture. Decided when the
/// test is discovered (xunit 2 has no skip from inside a running test), so as a normal user it is
/// reported Skipped with the reason instead of returning early and counting as passed.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public const string Reason = "needs root (network namespaces, veth, nftables, packet capture); run the tests as root, as CI does";

    public RootFactAttribute()
    {
        if (!IsRoot) Skip = Reason;
    }

    /// <summary>The effective user id, not the name: <c>setpriv</c>/<c>runuser</c> may leave $USER as root.</summary>
    public static bool IsRoot => geteuid() == 0;

    [DllImport("libc")]
    private static extern uint geteuid();
}
