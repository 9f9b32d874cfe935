using Appliance.Tests.Harness;

namespace Appliance.Tests.Support;

/// <summary>A key pair made by the real ssh-keygen, with what `ssh-keygen -lf` says about its public half.</summary>
public sealed record GeneratedSshKey(string PrivateKeyPath, string PublicLine, int Bits, string Fingerprint, string Comment)
{
    /// <summary>ssh-keygen -t TYPE [-b BITS] -C COMMENT into <paramref name="dir"/>, then -lf on the .pub.</summary>
    public static async Task<GeneratedSshKey> CreateAsync(string dir, string type, int? bits = null, string? comment = null)
    {
        var path = Path.Combine(dir, $"id_{type}_{bits}_{Guid.NewGuid():N}"[..40]);
        comment ??= $"{type}{bits}@test";
        await HostCommand.RunAsync("ssh-keygen", ["-q", "-t", type, .. bits is null ? Array.Empty<string>() : ["-b", bits.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            "-N", "", "-C", comment, "-f", path]);
        var listed = (await HostCommand.RunAsync("ssh-keygen", ["-lf", path + ".pub"])).Trim().Split(' ');
        // "256 SHA256:abc... comment (ED25519)"
        return new GeneratedSshKey(path, File.ReadAllText(path + ".pub").Trim(), int.Parse(listed[0], System.Globalization.CultureInfo.InvariantCulture), listed[1], comment);
    }

    public string Blob => PublicLine.Split(' ')[1];
}
