using Appliance.Daemon.Config;

namespace Appliance.Tests.Config;

public class PasswordHashTests
{
    [Fact]
    public void Hash_has_the_documented_format_and_verifies()
    {
        var hash = PasswordHash.Hash("s3cret pass");
        var parts = hash.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.True(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) >= 100_000);
        Assert.True(PasswordHash.Verify(hash, "s3cret pass"));
        Assert.False(PasswordHash.Verify(hash, "s3cret pas"));
        Assert.False(PasswordHash.Verify(hash, ""));
    }

    [Fact]
    public void Same_password_gets_a_different_salt_each_time()
    {
        Assert.NotEqual(PasswordHash.Hash("pw", PasswordHash.MinIterations), PasswordHash.Hash("pw", PasswordHash.MinIterations));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$100000$not base64$AAAA")]
    [InlineData("md5$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Malformed_or_weak_hashes_never_verify(string? stored)
    {
        Assert.False(PasswordHash.IsWellFormed(stored));
        Assert.False(PasswordHash.Verify(stored, "anything"));
    }
}
