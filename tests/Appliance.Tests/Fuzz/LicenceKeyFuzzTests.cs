using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Appliance.Daemon.Licensing;

namespace Appliance.Tests.Fuzz;

/// <summary>Inputs the licence fuzz target found (tools/fuzz, target "licence"), replayed through LicenceKeyCodec.Decode.</summary>
public class LicenceKeyFuzzTests
{
    private static readonly ECDsa Vendor = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A key whose signature is good, so the payload parser behind the check is reached.</summary>
    private static string Signed(byte[] payload)
    {
        var first = Base64Url.EncodeToString(payload);
        return first + "." + Base64Url.EncodeToString(Vendor.SignData(Encoding.ASCII.GetBytes(first), HashAlgorithmName.SHA256));
    }

    public static TheoryData<string, byte[]> BrokenText => new()
    {
        // The fuzzer's find: a byte that is not UTF-8 inside a string value.
        { "invalid UTF-8 in the kind", [.. "{\"v\":1,\"kind\":\"op"u8, 0xFF, 0xFF, 0xFF, 0x80, .. "\",\"serial\":\"SB1\"}"u8] },
        { "a lone surrogate escape in the serial", "{\"v\":1,\"kind\":\"release\",\"serial\":\"\\ud800\",\"edition\":\"full\"}"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(BrokenText))]
    public void A_signed_payload_whose_strings_are_not_text_is_an_invalid_format_not_a_crash(string what, byte[] payload)
    {
        var e = Assert.Throws<LicenceException>(() => LicenceKeyCodec.Decode(Signed(payload), Vendor));
        Assert.True(e.Error == LicenceError.InvalidFormat, $"{what}: {e.Error}: {e.Message}");
        Assert.Contains("invalid format", e.Message, StringComparison.Ordinal);
    }
}
