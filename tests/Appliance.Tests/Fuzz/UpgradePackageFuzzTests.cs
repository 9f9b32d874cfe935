using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Upgrade;

namespace Appliance.Tests.Fuzz;

/// <summary>Packages the upgrade fuzz target (tools/fuzz, target "upgrade") found, replayed through UpgradePackage.Read (and BackupReader, which reads the same tar).</summary>
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

    /// <summary>
    /// The fuzzer's find (CI's smoke run): a 136-byte tar.gz whose header's modification time is beyond
    /// DateTime's range; TarReader throws ArgumentOutOfRangeException while it reads the header.
    /// </summary>
    private const string TimeOutOfRange =
        "1f8b0800000000000203d3d3d3d7d377f0c9cf4bf7c9cccb2e2ad633b33436d0d763c00f64704934600a7162881a0081" +
        "998909980602100d56620003a626d84d6f87d25fffc344feff67d4d30f48acf0484d4c4925d6f5a4032c2e46a6315c6c" +
        "60606e666ecaa01001131027ca1a3eb21c575a5c925804b412a7823fc49a04005f8b6b040d020000";

    [Fact]
    public void A_tar_header_time_beyond_the_calendar_is_an_invalid_package_not_an_argument_exception() =>
        AssertInvalidPackage(TimeOutOfRange, "not a valid tar.gz");

    /// <summary>A backup is read by the same TarReader, with no signature in front of it: the same tar is a corrupted backup.</summary>
    [Fact]
    public async Task A_backup_whose_tar_header_time_is_beyond_the_calendar_is_corrupted_not_an_argument_exception()
    {
        var e = await Record.ExceptionAsync(() => BackupReader.OpenAsync(new MemoryStream(Convert.FromHexString(TimeOutOfRange)), null, null));
        Assert.Equal(BackupError.Corrupted, Assert.IsType<BackupException>(e).Error);
    }

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
