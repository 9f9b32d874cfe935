using System.Security.Cryptography;
using Appliance.Daemon.Licensing;

namespace Appliance.Tests.Licensing;

/// <summary>The checked-in TEST vendor key (tools/keytool/test-vendor-private.pem), found from the test's output folder.</summary>
internal static class TestVendorKey
{
    public static string PemPath { get; } = Find();

    public static ECDsa LoadPrivate() => VendorKey.LoadPemFile(PemPath);

    public static LicenceIssuer Issuer() => new(LoadPrivate());

    /// <summary>A key pair that is not the vendor's, for "bad signature" cases.</summary>
    public static ECDsa Stranger() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var pem = Path.Combine(dir.FullName, "tools", "keytool", "test-vendor-private.pem");
            if (File.Exists(pem))
                return pem;
        }
        throw new FileNotFoundException($"tools/keytool/test-vendor-private.pem not found above {AppContext.BaseDirectory}");
    }
}
