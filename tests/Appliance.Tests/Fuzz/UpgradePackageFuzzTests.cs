using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Appliance.Daemon.Upgrade;

namespace Appliance.Tests.Fuzz;

/// <summary>Packages the upgrade fuzz target (tools/fuzz, target "upgrade") found, replayed through UpgradePackage.Read.</summary>
public sealed class UpgradePackageFuzzTests
{
    /// <summary>
    /// A 71-byte tar.gz whose tar header has a base-256 number field too large for a long:
    /// TarReader throws OverflowException, which escaped the reader as an unexpected error.
    /// </summary>
    private const string OverflowingNumberField =
        "1f8b08000000000004030a730d0af6f4f763a025303030ff7fd10605f4e8344896c1d0d4d8c0d4c080fff2ff94c1c0c0" +
        "dcc0d08c41c1564f4e5c9258a4a000e38e34da7ad4bfb0";

    /// <summary>An 83-byte tar.gz holding a GNU sparse file entry ("app/..."), which TarReader refuses with NotSupportedException.</summary>
    private const string SparseFileEntry =
        "1f8b08000000000004030a736170702f0d0af6f4f763a025303030303033316100d1060606e8344896c1d0d4d8c0d4c0" +
        "c4d4dcdcc0d08c41c181968e82995d5a5c9258a4a000e38e34da48cf40cf906ba4f97a";

    [Fact]
    public void A_tar_header_number_too_large_for_a_long_is_an_invalid_package_not_an_overflow() =>
        AssertInvalidPackage(OverflowingNumberField, "not a valid tar.gz");

    [Fact]
    public void A_sparse_file_entry_is_an_invalid_package_not_a_not_supported_exception() =>
        AssertInvalidPackage(SparseFileEntry, "SparseFile");

    /// <summary>
    /// The fuzzer's find, rebuilt: a PAX extended header whose size field says 3 GiB (octal
    /// 30000000054), more than TarReader takes, which it reports as an InvalidOperationException.
    /// </summary>
    [Fact]
    public void A_pax_header_size_over_two_gibibytes_is_an_invalid_package_not_an_invalid_operation()
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "VERSION", new Dictionary<string, string> { ["comment"] = "x" }));
        var bytes = tar.ToArray();
        Assert.Equal((byte)'x', bytes[156]); // the first block is the extended header
        Encoding.ASCII.GetBytes("30000000054\0").CopyTo(bytes, 124);
        Encoding.ASCII.GetBytes("        ").CopyTo(bytes, 148);
        var sum = bytes.Take(512).Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(bytes, 148);
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest))
            z.Write(bytes);

        AssertInvalidPackage(Convert.ToHexString(gz.ToArray()), "not a valid tar.gz");
    }

    private void AssertInvalidPackage(string hex, string expected)
    {
        var e = Assert.Throws<UpgradeException>(() => UpgradePackage.Read(new MemoryStream(Convert.FromHexString(hex)), extractTo: null));
        Assert.Equal(UpgradeError.InvalidPackage, e.Error);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
