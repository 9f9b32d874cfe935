using System.Buffers.Text;
using System.Text;
using Appliance.Daemon.Licensing;

namespace Appliance.Tests.Licensing;

public class LicenceTests
{
    private const string Serial = "52A00001";

    private static LicenceState Compute(params string[] keys)
    {
        using var verifier = new LicenceVerifier();
        return LicenceState.Compute(Serial, keys, verifier);
    }

    [Fact]
    public void Test_key_pair_is_the_built_in_vendor_key_of_a_test_build()
    {
        using var priv = TestVendorKey.LoadPrivate();
        Assert.Equal(VendorKey.BuiltInPublicKeyPem.Trim(), priv.ExportSubjectPublicKeyInfoPem().Trim());
        Assert.Equal(VendorKey.TestKeyFingerprint, VendorKey.Fingerprint(priv));
        Assert.Equal(VendorKey.TestKeyFingerprint, VendorKey.BuiltInFingerprint);
        Assert.True(VendorKey.BuiltInIsTestKey);
        Assert.Equal(VendorKey.TestKeyDescription, VendorKey.Describe());
    }

    [Fact]
    public void No_keys_is_essentials_without_clustering()
    {
        var s = Compute();
        Assert.Equal(LicenceEdition.Essentials, s.Edition);
        Assert.Equal("Essentials", s.EditionName);
        Assert.False(s.ClusteringAllowed);
        Assert.Equal(1, s.MaxPeers);
        Assert.Empty(s.Problems);
    }

    [Fact]
    public void Full_release_key_allows_three_peers()
    {
        var s = Compute(TestVendorKey.Issuer().IssueRelease(Serial, LicenceEdition.Full));
        Assert.Equal((LicenceEdition.Full, true, 3), (s.Edition, s.ClusteringAllowed, s.MaxPeers));
        Assert.Empty(s.Problems);
    }

    [Fact]
    public void Select_release_key_allows_two_peers()
    {
        var s = Compute(TestVendorKey.Issuer().IssueRelease(Serial, LicenceEdition.Select));
        Assert.Equal((LicenceEdition.Select, true, 2), (s.Edition, s.ClusteringAllowed, s.MaxPeers));
    }

    [Fact]
    public void Key_signed_by_another_key_is_a_bad_signature_and_leaves_essentials()
    {
        using var stranger = TestVendorKey.Stranger();
        var forged = new LicenceIssuer(stranger).IssueRelease(Serial, LicenceEdition.Full);
        var s = Compute(forged);
        Assert.Equal(LicenceEdition.Essentials, s.Edition);
        var p = Assert.Single(s.Problems);
        Assert.Equal(LicenceError.BadSignature, p.Error);
        Assert.Contains("bad signature", p.Message);
    }

    [Fact]
    public void Altered_payload_is_a_bad_signature()
    {
        var key = TestVendorKey.Issuer().IssueRelease(Serial, LicenceEdition.Select);
        var parts = key.Split('.');
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])).Replace("select", "full");
        var altered = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)) + "." + parts[1];
        using var verifier = new LicenceVerifier();
        Assert.Equal(LicenceError.BadSignature, Assert.Throws<LicenceException>(() => verifier.Verify(altered, Serial)).Error);
    }

    [Fact]
    public void Key_for_another_serial_is_refused_naming_both()
    {
        var s = Compute(TestVendorKey.Issuer().IssueRelease("52A00999", LicenceEdition.Full));
        Assert.Equal(LicenceEdition.Essentials, s.Edition);
        var p = Assert.Single(s.Problems);
        Assert.Equal(LicenceError.OtherSerial, p.Error);
        Assert.Contains("52A00999", p.Message);
        Assert.Contains(Serial, p.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("hello", "two base64url parts")]
    [InlineData("a.b.c", "two base64url parts")]
    [InlineData("eyJ2IjoxfQ.AAAA", "signature is 3 bytes")]
    [InlineData("e*J.AAAA", "not base64url")]
    public void Malformed_keys_are_invalid_format(string key, string expected)
    {
        using var verifier = new LicenceVerifier();
        var e = Assert.Throws<LicenceException>(() => verifier.Verify(key, Serial));
        Assert.Equal(LicenceError.InvalidFormat, e.Error);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Capacity_is_the_sum_of_three_option_keys()
    {
        var issuer = TestVendorKey.Issuer();
        var s = Compute(
            issuer.IssueRelease(Serial, LicenceEdition.Full),
            issuer.IssueOption(Serial, 5, 10),
            issuer.IssueOption(Serial, 0, 20),
            issuer.IssueOption(Serial, 7, 1));
        Assert.Equal((12, 31), (s.PersonalMultiparty, s.SharedMultiparty));
        Assert.Equal(3, s.Options.Count);
        Assert.Empty(s.Problems);
    }

    [Fact]
    public void Same_option_key_twice_counts_once_and_bad_ones_do_not_count()
    {
        var issuer = TestVendorKey.Issuer();
        var one = issuer.IssueOption(Serial, 5, 10, id: "opt-1");
        using var stranger = TestVendorKey.Stranger();
        var s = Compute(one, " " + one[..40] + "\n" + one[40..] + " ", new LicenceIssuer(stranger).IssueOption(Serial, 100, 100),
            issuer.IssueOption("52A00999", 100, 100));
        Assert.Equal((5, 10), (s.PersonalMultiparty, s.SharedMultiparty));
        Assert.Equal([LicenceError.Duplicate, LicenceError.BadSignature, LicenceError.OtherSerial], s.Problems.Select(p => p.Error));
        Assert.Equal(LicenceEdition.Essentials, s.Edition);
    }

    [Fact]
    public void Full_wins_over_select_when_both_are_given()
    {
        var issuer = TestVendorKey.Issuer();
        Assert.Equal(LicenceEdition.Full, Compute(issuer.IssueRelease(Serial, LicenceEdition.Full), issuer.IssueRelease(Serial, LicenceEdition.Select)).Edition);
        Assert.Equal(LicenceEdition.Full, Compute(issuer.IssueRelease(Serial, LicenceEdition.Select), issuer.IssueRelease(Serial, LicenceEdition.Full)).Edition);
    }
}
