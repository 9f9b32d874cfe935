using Xunit.Abstractions;

namespace Appliance.Tests.Harness;

/// <summary>
/// Namespaces, veth and nftables need root. Without it a network test says so loudly and passes
/// as a no-op (xunit 2 has no runtime skip); CI runs as root so there they really run.
/// </summary>
public static class RootOnly
{
    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    /// <summary>True when the caller must return: the test cannot run here.</summary>
    public static bool Skip(ITestOutputHelper output)
    {
        if (IsRoot) return false;
        const string banner = "**************************************************************";
        output.WriteLine(banner);
        output.WriteLine("SKIPPED: needs root (network namespaces, veth, nftables, packet capture)");
        output.WriteLine(banner);
        Console.Error.WriteLine("SKIPPED: needs root");
        return true;
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
