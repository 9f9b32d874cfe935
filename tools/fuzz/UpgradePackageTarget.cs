using System.Formats.Tar;
using System.IO.Compression;
using Appliance.Daemon.Upgrade;

namespace Appliance.Fuzz;

/// <summary>
/// The upgrade package reader walking a tar.gz (as `upgrade` does after the signature check).
/// Mutated deflate data rarely inflates, so the first input byte picks the layer: even, the rest is
/// the package file as is; odd, the rest is the tar, which the target compresses first.
/// </summary>
internal sealed class UpgradePackageTarget : FuzzTarget
{
    public override string Name => "upgrade";

    public override string Description => "UpgradePackage.Read (check only, no extraction); refusal: UpgradeException";

    public override string? Run(byte[] input)
    {
        var (mode, body) = Split(input);
        try
        {
            UpgradePackage.Read(new MemoryStream((mode & 1) == 0 ? body : Gzip(body)), extractTo: null);
        }
        catch (UpgradeException e)
        {
            return e.Message;
        }
        return null;
    }

    private static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
            gz.Write(data);
        return output.ToArray();
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        foreach (var format in new[] { TarEntryFormat.Pax, TarEntryFormat.Gnu, TarEntryFormat.Ustar })
        {
            var tar = Tar(format);
            yield return ($"package-{format}.tar", FuzzInput.WithMode(1, tar));
            yield return ($"package-{format}.tar.gz", FuzzInput.WithMode(0, Gzip(tar)));
        }
    }

    /// <summary>A minimal valid package: VERSION and an app/ folder with one executable.</summary>
    private static byte[] Tar(TarEntryFormat format)
    {
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, format))
        {
            tar.WriteEntry(Entry(format, TarEntryType.RegularFile, "VERSION", "2.0.1\n"));
            tar.WriteEntry(Entry(format, TarEntryType.Directory, "app/", null));
            tar.WriteEntry(Entry(format, TarEntryType.RegularFile, "app/applianced", "#!/bin/sh\n"));
        }
        return output.ToArray();
    }

    private static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name, string? content)
    {
        TarEntry entry = format switch
        {
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            _ => new UstarTarEntry(type, name),
        };
        if (content is not null)
            entry.DataStream = new MemoryStream(FuzzInput.Utf8(content));
        return entry;
    }

    public override IEnumerable<string> Tokens => ["VERSION", "app/", "ustar", "ustar  ", "././@LongLink", "path=", "size="];
}
