using Appliance.Daemon.Upgrade;
using Appliance.Tests.Support;

namespace Appliance.Tests.Fuzz;

/// <summary>Packages the upgrade fuzz target (tools/fuzz, target "upgrade") found, replayed through UpgradePackage.Read.</summary>
public sealed class UpgradePackageFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// A 71-byte tar.gz whose tar header has a base-256 number field too large for a long:
    /// TarReader throws OverflowException, which escaped the reader as an unexpected error.
    /// </summary>
    private const string OverflowingNumberField =
        "1f8b08000000000004030a730d0af6f4f763a025303030ff7fd10605f4e8344896c1d0d4d8c0d4c080fff2ff94c1c0c0" +
        "dcc0d08c41c1564f4e5c9258a4a000e38e34da7ad4bfb0";

    [Fact]
    public void A_tar_header_number_too_large_for_a_long_is_an_invalid_package_not_an_overflow()
    {
        var path = _dir["overflow.tar.gz"];
        File.WriteAllBytes(path, Convert.FromHexString(OverflowingNumberField));

        var e = Assert.Throws<UpgradeException>(() => UpgradePackage.Read(path, extractTo: null));
        Assert.Equal(UpgradeError.InvalidPackage, e.Error);
        Assert.Contains("not a valid tar.gz", e.Message, StringComparison.Ordinal);
    }
}
