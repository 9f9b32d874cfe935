using System.Diagnostics;
using Appliance.Daemon.Config;

namespace Appliance.Tests.Config;

public class PasswordHashTests
{
    [Fact]
    public void Hash_is_yescrypt_in_crypt3_form_and_verifies()
    {
        var hash = PasswordHash.Hash("s3cret pass");
        Assert.Matches(@"^\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{43}$", hash);
        Assert.True(PasswordHash.IsApplicable(hash));
        Assert.True(PasswordHash.Verify(hash, "s3cret pass"));
        Assert.False(PasswordHash.Verify(hash, "s3cret pas"));
        Assert.False(PasswordHash.Verify(hash, ""));
    }

    [Fact]
    public void Same_password_gets_a_different_salt_each_time()
    {
        Assert.NotEqual(PasswordHash.Hash("pw"), PasswordHash.Hash("pw"));
    }

    [Fact]
    public void A_non_ascii_password_round_trips()
    {
        var hash = PasswordHash.Hash("blåbærsyltetøy ✓");
        Assert.True(PasswordHash.Verify(hash, "blåbærsyltetøy ✓"));
        Assert.False(PasswordHash.Verify(hash, "blabaersyltetoy ✓"));
    }

    /// <summary>Another implementation's SHA-512-crypt hash (OpenSSL's) verifies here: the format is crypt(3)'s, not ours.</summary>
    [Fact]
    public void Sha512_crypt_from_openssl_is_accepted_and_verifies()
    {
        var psi = new ProcessStartInfo("openssl", ["passwd", "-6", "-stdin"]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.WriteLine("correct horse");
        p.StandardInput.Close();
        var hash = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.StartsWith("$6$", hash);
        Assert.True(PasswordHash.IsWellFormed(hash));
        Assert.True(PasswordHash.IsApplicable(hash));
        Assert.True(PasswordHash.Verify(hash, "correct horse"));
        Assert.False(PasswordHash.Verify(hash, "wrong horse"));
    }

    [Fact]
    public void Old_pbkdf2_hashes_still_verify_but_cannot_be_applied_to_the_os()
    {
        var old = PasswordHash.LegacyPbkdf2.Hash("pw", PasswordHash.LegacyPbkdf2.MinIterations);
        Assert.True(PasswordHash.IsWellFormed(old));
        Assert.True(PasswordHash.Verify(old, "pw"));
        Assert.False(PasswordHash.Verify(old, "pw2"));
        Assert.False(PasswordHash.IsApplicable(old));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$100000$not base64$AAAA")]
    [InlineData("md5$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$1$abcdefgh$yFNhCnb8RfwmZlMgqqrn50")] // md5-crypt: a scheme we do not accept
    [InlineData("$y$j9T$")]
    [InlineData("$y$$salt$hash")]
    [InlineData("$6$saltsalt$short")]
    public void Malformed_weak_or_foreign_hashes_never_verify(string? stored)
    {
        Assert.False(PasswordHash.IsWellFormed(stored));
        Assert.False(PasswordHash.IsApplicable(stored));
        Assert.False(PasswordHash.Verify(stored, "anything"));
    }

    [Theory]
    [InlineData(-1, "")]       // truncated
    [InlineData(0, "A")]       // one character too many
    [InlineData(0, ":x")]      // would add a field to an /etc/shadow line
    [InlineData(0, "\nroot:")] // would add a line to the chpasswd request
    public void A_damaged_yescrypt_hash_is_refused(int cut, string append)
    {
        var good = PasswordHash.Hash("pw");
        var damaged = good[..(good.Length + cut)] + append;
        Assert.NotNull(PasswordHash.Malformed(damaged));
        Assert.False(PasswordHash.Verify(damaged, "pw"));
    }

    [Fact]
    public void A_yescrypt_hash_with_altered_parameters_is_refused()
    {
        var good = PasswordHash.Hash("pw");
        var parts = good.Split('$'); // "", "y", params, salt, hash
        parts[2] = "!!!";
        Assert.NotNull(PasswordHash.Malformed(string.Join('$', parts)));
    }

    /// <summary>A replicated or restored admin section is checked like a typed one: a hash that would add a line to chpasswd's input is refused.</summary>
    [Fact]
    public void A_stored_admin_section_with_a_smuggled_line_is_refused()
    {
        var good = PasswordHash.Hash("pw");
        var value = new System.Text.Json.Nodes.JsonObject { ["user"] = "admin", ["password"] = good + "\nroot:" + good };
        var refused = Assert.Throws<ConfigValidationException>(() => ConfigOps.Validate("admin", value));
        Assert.Contains("admin.password", refused.Message, StringComparison.Ordinal);
        value["password"] = good;
        ConfigOps.Validate("admin", value);
    }
}
