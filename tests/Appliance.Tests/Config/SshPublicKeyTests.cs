using Appliance.Daemon.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Config;

/// <summary>OpenSSH public key lines checked against keys, fingerprints and sizes from the real ssh-keygen.</summary>
public sealed class SshPublicKeyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("ed25519", null)]
    [InlineData("ecdsa", 256)]
    [InlineData("ecdsa", 384)]
    [InlineData("ecdsa", 521)]
    [InlineData("rsa", 2048)]
    [InlineData("rsa", 3072)]
    public async Task Fingerprint_and_bits_are_what_ssh_keygen_prints(string type, int? bits)
    {
        var generated = await GeneratedSshKey.CreateAsync(_dir.Path, type, bits);
        var key = SshPublicKey.Parse(generated.PublicLine, out var why);
        Assert.True(key is not null, why);
        Assert.Equal(generated.Fingerprint, key.Fingerprint);
        Assert.Equal(generated.Bits, key.Bits);
        Assert.Equal(generated.Comment, key.Comment);
        Assert.Equal(generated.PublicLine, key.Line);
    }

    [Fact]
    public async Task Rsa_under_2048_bits_is_refused_with_its_size()
    {
        var weak = await GeneratedSshKey.CreateAsync(_dir.Path, "rsa", 1024);
        AssertRefused(weak.PublicLine, "1024-bit RSA", weak.Blob);
    }

    [Fact]
    public async Task Options_before_the_key_are_refused_by_name()
    {
        var k = await GeneratedSshKey.CreateAsync(_dir.Path, "ed25519");
        AssertRefused($"command=\"/bin/sh\" {k.PublicLine}", "options", k.Blob);
        AssertRefused($"restrict {k.PublicLine}", "options", k.Blob);
        AssertRefused($"from=\"10.0.0.1\",no-pty {k.PublicLine}", "options", k.Blob);
    }

    [Fact]
    public async Task A_blob_of_another_type_than_the_line_names_is_refused()
    {
        var ed = await GeneratedSshKey.CreateAsync(_dir.Path, "ed25519");
        AssertRefused($"ssh-rsa {ed.Blob} x", "another type", ed.Blob);
        AssertRefused($"ecdsa-sha2-nistp256 {ed.Blob}", "another type", ed.Blob);
    }

    [Fact]
    public async Task Damaged_key_data_is_refused_without_echoing_it()
    {
        var k = await GeneratedSshKey.CreateAsync(_dir.Path, "ecdsa", 256);
        var blob = Convert.FromBase64String(k.Blob);
        AssertRefused($"ecdsa-sha2-nistp256 {Convert.ToBase64String(blob[..^5])}", "malformed", k.Blob[..20]);
        AssertRefused($"ecdsa-sha2-nistp256 {Convert.ToBase64String([.. blob, 0, 0, 0, 0])}", "extra data", k.Blob[..20]);
        AssertRefused($"ecdsa-sha2-nistp256 {k.Blob[..^3]}!!!", "base64", k.Blob[..20]);
        AssertRefused("ssh-ed25519", "no key data", null);
        AssertRefused("ssh-dss AAAAB3NzaC1kc3M=", "accepted type", null);
    }

    [Fact]
    public async Task Control_characters_and_huge_lines_are_refused()
    {
        var k = await GeneratedSshKey.CreateAsync(_dir.Path, "ed25519");
        AssertRefused(k.PublicLine + "\u001b[2J", "control character", k.Blob);
        AssertRefused(k.PublicLine.Replace(' ', '\t'), "control character", k.Blob);
        AssertRefused(k.PublicLine + " " + new string('c', SshPublicKey.MaxLineLength), "longer than", k.Blob);
        AssertRefused(k.PublicLine + " \u202Eevil", "comment", k.Blob);
    }

    [Fact]
    public async Task Lines_are_numbered_and_comments_and_blanks_skipped()
    {
        var a = await GeneratedSshKey.CreateAsync(_dir.Path, "ed25519");
        var lines = SshKeyLines.Parse($"# my keys\r\n\r\n{a.PublicLine}\r\n  \nssh-rsa AAAA\n");
        Assert.Equal(2, lines.Count);
        Assert.Equal(3, lines[0].Number);
        Assert.NotNull(lines[0].Key);
        Assert.Equal(5, lines[1].Number);
        Assert.StartsWith("line 5: ", lines[1].Describe());
    }

    [Fact]
    public async Task A_stored_key_field_is_checked_like_a_typed_one()
    {
        var k = await GeneratedSshKey.CreateAsync(_dir.Path, "ed25519");
        var item = ConfigOps.CreateItem("ssh-keys", "laptop", new Dictionary<string, string> { ["key"] = k.PublicLine }).Value;
        Assert.Equal(k.PublicLine, item["key"]!.GetValue<string>());
        item["key"] = $"ssh-rsa {k.Blob}";
        var refused = Assert.Throws<ConfigValidationException>(() => ConfigOps.Validate("ssh-keys", item));
        Assert.DoesNotContain(k.Blob, refused.Message);
    }

    private static void AssertRefused(string line, string expected, string? secret)
    {
        var key = SshPublicKey.Parse(line, out var why);
        Assert.Null(key);
        Assert.Contains(expected, why);
        if (secret is not null) Assert.DoesNotContain(secret, why);
    }
}
