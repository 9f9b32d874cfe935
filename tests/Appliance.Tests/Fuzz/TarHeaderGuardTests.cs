using System.IO.Compression;
using System.Text;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Upgrade;

namespace Appliance.Tests.Fuzz;

/// <summary>
/// The upgrade fuzz target found that a few kilobytes of tar make TarReader allocate what a pax
/// header declares (here ~900 MB) before reading it. A backup is read by the same TarReader, with
/// no signature in front of it: both readers now refuse such a header before TarReader sees it.
/// </summary>
public sealed class TarHeaderGuardTests
{
    private const long Declared = 939_524_140; // octal 7000000054, as in the fuzzer's input

    [Fact]
    public void An_upgrade_package_whose_pax_header_declares_900_MB_is_refused_without_allocating_it()
    {
        var package = Gzip(PaxHeader(Declared));
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<UpgradeException>(() => UpgradePackage.Read(new MemoryStream(package), extractTo: null));

        var taken = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(taken < 64 << 20, $"{taken >> 20} MiB were allocated for a 6 KB package");
        Assert.Equal(UpgradeError.InvalidPackage, e.Error);
        Assert.Contains("declares 939524140 bytes", e.Message);
    }

    [Fact]
    public async Task A_backup_whose_pax_header_declares_900_MB_is_refused_as_corrupted_without_allocating_it()
    {
        var backup = Gzip(PaxHeader(Declared));
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var e = await Record.ExceptionAsync(() => BackupReader.OpenAsync(new MemoryStream(backup), null, null));

        var taken = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(taken < 64 << 20, $"{taken >> 20} MiB were allocated for a 6 KB backup");
        Assert.Equal(BackupError.Corrupted, Assert.IsType<BackupException>(e).Error);
        Assert.Contains("declares 939524140 bytes", e.Message);
    }

    [Fact]
    public async Task Real_archives_with_pax_headers_still_read()
    {
        using var dir = new Backup.TempDir();
        var (package, signature) = await Upgrade.PackageBuilder.BuildAsync(dir, "3.1.4");
        Assert.Equal("3.1.4", UpgradePackage.Verify(package, signature).Version);
    }

    /// <summary>One pax extended header ('x') declaring <paramref name="size"/> bytes, with a valid checksum, then a little data.</summary>
    private static byte[] PaxHeader(long size)
    {
        var block = new byte[512];
        Encoding.ASCII.GetBytes("./PaxHeaders.20880/.").CopyTo(block, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(block, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(block, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(block, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(block, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(block, 136);
        block[156] = (byte)'x';
        Encoding.ASCII.GetBytes("ustar\000").CopyTo(block, 257);
        Encoding.ASCII.GetBytes("        ").CopyTo(block, 148);
        var sum = block.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(block, 148);
        return [.. block, .. new byte[6144]];
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
            gz.Write(data);
        return output.ToArray();
    }
}
