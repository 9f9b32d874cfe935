using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Appliance.Daemon.Licensing;

namespace Appliance.Fuzz;

/// <summary>
/// The licence key codec. A mutated key almost never carries a valid signature, so the payload
/// parser behind the signature check would go unfuzzed: the first input byte picks the mode. Even:
/// the rest is the key text as pasted. Odd: the rest is the payload, which the target signs with
/// its own key (trusted for this run) the way <see cref="LicenceKeyCodec.Encode"/> does, so mutations
/// reach the JSON payload parser.
/// </summary>
internal sealed class LicenceKeyTarget : FuzzTarget
{
    /// <summary>The same key in every run, so seeds written by one process verify in another.</summary>
    private static readonly ECDsa Vendor = ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        D = SHA256.HashData("appliance fuzz vendor key"u8),
    });

    public override string Name => "licence";

    public override string Description => "LicenceKeyCodec.Decode of key text, or of a payload the target signs; refusal: LicenceException";

    public override string? Run(byte[] input)
    {
        var (mode, body) = Split(input);
        var text = (mode & 1) == 0 ? Encoding.UTF8.GetString(body) : Signed(body);
        LicenceKey key;
        try
        {
            key = LicenceKeyCodec.Decode(text, Vendor);
        }
        catch (LicenceException e)
        {
            return e.Message;
        }
        if (string.IsNullOrWhiteSpace(key.Serial) || key is OptionKey { PersonalMultiparty: < 0 } or OptionKey { SharedMultiparty: < 0 })
            throw new InvariantException($"decoded a key the licence rules cannot use: {key}");
        return null;
    }

    private static string Signed(ReadOnlySpan<byte> payload)
    {
        var first = Base64Url.EncodeToString(payload);
        return first + "." + Base64Url.EncodeToString(Vendor.SignData(Encoding.ASCII.GetBytes(first), HashAlgorithmName.SHA256));
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var release = new ReleaseKey("SN-0001", LicenceEdition.Full);
        var option = new OptionKey("SN-0001", 4, 2, "opt-1");
        yield return ("release-key", FuzzInput.WithMode(0, FuzzInput.Utf8(LicenceKeyCodec.Encode(release, Vendor))));
        yield return ("option-key", FuzzInput.WithMode(0, FuzzInput.Utf8(LicenceKeyCodec.Encode(option, Vendor))));
        foreach (var (name, key) in new (string, LicenceKey)[] { ("release", release), ("option", option) })
        {
            // The payload of the real encoding, for the signing mode.
            var payload = Base64Url.DecodeFromChars(LicenceKeyCodec.Encode(key, Vendor).Split('.')[0]);
            yield return ($"{name}-payload", FuzzInput.WithMode(1, payload));
        }
    }

    public override IEnumerable<string> Tokens =>
    [
        "\"v\"", "\"kind\"", "\"serial\"", "\"edition\"", "\"release\"", "\"option\"", "\"full\"", "\"select\"",
        "\"personalMultiparty\"", "\"sharedMultiparty\"", "\"id\"", "2147483648", "-1", "1.0", "null",
    ];
}
