using System.Security.Cryptography;

namespace Appliance.Daemon.Licensing;

/// <summary>Checks licence keys against the vendor public key and this peer's hardware serial.</summary>
public sealed class LicenceVerifier : IDisposable
{
    private readonly ECDsa _vendorKey;

    /// <summary>Verifies against <see cref="VendorKey.BuiltInPublicKeyPem"/>.</summary>
    public LicenceVerifier()
        : this(VendorKey.LoadBuiltIn())
    {
    }

    /// <summary>Verifies against <paramref name="vendorPublicKey"/>, which this object then owns.</summary>
    public LicenceVerifier(ECDsa vendorPublicKey) => _vendorKey = vendorPublicKey;

    /// <summary>The key's content if it is well formed, vendor-signed and for <paramref name="peerSerial"/>.</summary>
    /// <exception cref="LicenceException">InvalidFormat, BadSignature or OtherSerial.</exception>
    public LicenceKey Verify(string key, string peerSerial)
    {
        var decoded = LicenceKeyCodec.Decode(key, _vendorKey);
        if (!string.Equals(decoded.Serial, peerSerial, StringComparison.OrdinalIgnoreCase))
            throw new LicenceException(LicenceError.OtherSerial,
                $"licence key {LicenceKeyCodec.Short(LicenceKeyCodec.Normalize(key))} is for hardware serial {decoded.Serial}, " +
                $"but this peer's serial is {peerSerial}");
        return decoded;
    }

    public void Dispose() => _vendorKey.Dispose();
}
