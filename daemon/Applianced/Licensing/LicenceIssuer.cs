using System.Security.Cryptography;

namespace Appliance.Daemon.Licensing;

/// <summary>The vendor side: issues licence keys with the vendor's private key (keytool and tests use it).</summary>
public sealed class LicenceIssuer(ECDsa vendorPrivateKey)
{
    public string IssueRelease(string serial, LicenceEdition edition) =>
        LicenceKeyCodec.Encode(new ReleaseKey(serial, edition), vendorPrivateKey);

    /// <summary>Issues an option key; a random id is made when none is given.</summary>
    public string IssueOption(string serial, int personalMultiparty, int sharedMultiparty, string? id = null) =>
        LicenceKeyCodec.Encode(new OptionKey(serial, personalMultiparty, sharedMultiparty, id ?? NewId()), vendorPrivateKey);

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
