using System.Text.Json.Nodes;
using Appliance.Daemon.Licensing;

namespace Appliance.Bench;

/// <summary>
/// R14: peers without a release key cannot cluster. The benchmarks issue a Full key for each
/// peer's serial with the TEST vendor key (tools/keytool/test-vendor-private.pem).
/// </summary>
internal static class BenchLicences
{
    public static async Task InstallFullAsync(int peer, Func<int, string, JsonObject, Task<JsonNode?>> call)
    {
        var show = await call(peer, "licence.show", []) ?? throw new InvalidOperationException("licence.show gave nothing");
        var key = new LicenceIssuer(VendorKey.LoadPemFile(TestKeyPath())).IssueRelease(show["serial"]!.GetValue<string>(), LicenceEdition.Full);
        await call(peer, "licence.add", new JsonObject { ["key"] = key });
    }

    internal static string TestKeyPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var pem = Path.Combine(dir.FullName, "tools", "keytool", "test-vendor-private.pem");
            if (File.Exists(pem)) return pem;
        }
        throw new FileNotFoundException("tools/keytool/test-vendor-private.pem not found");
    }
}
