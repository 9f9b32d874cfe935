using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Appliance.Daemon.Upgrade;
using Appliance.Tests.Backup;
using Appliance.Tests.Licensing;

namespace Appliance.Tests.Upgrade;

/// <summary>Builds upgrade packages the way a vendor build would: a tiny fake app, the real tar, a detached signature.</summary>
internal static class PackageBuilder
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Writes dir/pkg-&lt;version&gt;.tar.gz (+ .sig signed with <paramref name="signer"/>, default the test vendor key);
    /// its app/applianced is <paramref name="program"/>, by default a script that prints the version.
    /// </summary>
    public static async Task<(string Package, string Signature)> BuildAsync(TempDir dir, string version, ECDsa? signer = null, string? program = null)
    {
        var src = dir[$"src-{version}"];
        Directory.CreateDirectory(Path.Combine(src, "app", "lib"));
        await File.WriteAllTextAsync(Path.Combine(src, "VERSION"), version + "\n").WaitAsync(TestTimeout);
        var exe = Path.Combine(src, "app", "applianced");
        await File.WriteAllTextAsync(exe, program ?? $"#!/bin/sh\necho applianced {version}\n").WaitAsync(TestTimeout);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(exe, (UnixFileMode)Convert.ToInt32("755", 8));
        await File.WriteAllBytesAsync(Path.Combine(src, "app", "lib", "Appliance.Hal.dll"), RandomNumberGenerator.GetBytes(5000)).WaitAsync(TestTimeout);
        var package = dir[$"pkg-{version}.tar.gz"];
        await RunAsync("tar", "czf", package, "-C", src, "VERSION", "app");
        return (package, Sign(package, signer));
    }

    /// <summary>A package with arbitrary entries, written with TarWriter to make shapes the real tar would not.</summary>
    public static (string Package, string Signature) BuildRaw(TempDir dir, string name, params TarEntry[] entries)
    {
        var package = dir[name];
        using (var file = File.Create(package))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax))
        {
            foreach (var e in entries)
                tar.WriteEntry(e);
        }
        return (package, Sign(package, null));
    }

    public static PaxTarEntry Entry(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };

    private static string Sign(string package, ECDsa? signer)
    {
        if (signer is not null)
            return PackageSignature.SignFile(package, signer);
        using var key = TestVendorKey.LoadPrivate();
        return PackageSignature.SignFile(package, key);
    }

    public static async Task<string> RunAsync(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TestTimeout);
            Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)}: exit {p.ExitCode}: {await stderr}");
            return await stdout.WaitAsync(TestTimeout);
        }
        finally
        {
            if (!p.HasExited)
                p.Kill();
        }
    }
}
