using System.Text.Json.Nodes;
using Appliance.Daemon.Licensing;
using Appliance.Tests.Licensing;

namespace Appliance.Tests.Support;

/// <summary>
/// R14: a peer without a release key runs as Essentials and cannot cluster. Tests that cluster
/// peers give each one a Full release key for its own serial, signed with the TEST vendor key
/// (which every test build of the daemon trusts).
/// </summary>
internal static class TestLicences
{
    /// <summary>Adds a Full release key to the peer behind <paramref name="call"/> unless it already has an edition.</summary>
    public static async Task InstallFullAsync(Func<string, JsonObject, Task<JsonNode>> call)
    {
        var show = await call("licence.show", []).ConfigureAwait(false);
        if (show["edition"]?.GetValue<string>() != nameof(LicenceEdition.Essentials)) return;
        var key = TestVendorKey.Issuer().IssueRelease(show["serial"]!.GetValue<string>(), LicenceEdition.Full);
        await call("licence.add", new JsonObject { ["key"] = key }).ConfigureAwait(false);
    }
}
