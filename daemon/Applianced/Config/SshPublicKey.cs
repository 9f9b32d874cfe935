using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Appliance.Daemon.Config;

/// <summary>
/// One OpenSSH public key line ("TYPE BASE64 [COMMENT]", as in authorized_keys without options),
/// checked the way sshd would read it: a type we accept, base64 that decodes, a blob whose embedded
/// type is the line's and whose fields have the sizes of that type. Refusals never quote the key.
/// </summary>
public sealed record SshPublicKey(string Type, byte[] Blob, string Comment, int Bits)
{
    public const int MinRsaBits = 2048;
    public const int MaxRsaBits = 16384;

    /// <summary>Longest accepted line: an RSA key at <see cref="MaxRsaBits"/> is about 2.8 KB.</summary>
    public const int MaxLineLength = 8192;

    public const int MaxCommentLength = 256;

    /// <summary>What `ssh-keygen -lf` prints: "SHA256:" and the unpadded base64 of the blob's SHA-256.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob)).TrimEnd('=');

    /// <summary>The stored and written form: single spaces, no options.</summary>
    public string Line => Comment.Length == 0 ? $"{Type} {Convert.ToBase64String(Blob)}" : $"{Type} {Convert.ToBase64String(Blob)} {Comment}";

    /// <summary>The key, or null with the rule the line breaks (never its content).</summary>
    public static SshPublicKey? Parse(string line, out string? why)
    {
        why = Refusal(line, out var key);
        return key;
    }

    private static string? Refusal(string line, out SshPublicKey? key)
    {
        key = null;
        if (line.Length > MaxLineLength)
            return $"is longer than {MaxLineLength} characters";
        if (line.Any(char.IsControl))
            return "contains a control character";
        var parts = line.Trim(' ').Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            return "holds no key";
        var type = parts[0];
        if (!SshKeyTypes.IsKnown(type))
            return LooksLikeOptions(type)
                ? "starts with options (command=, from=, restrict, ...); give the plain key (TYPE BASE64 [COMMENT]): options are not accepted"
                : $"is not a key of an accepted type ({string.Join(", ", SshKeyTypes.Accepted)})";
        if (parts.Length < 2)
            return "has no key data after its type";
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            return "has key data that is not valid base64";
        }
        var comment = parts.Length > 2 ? parts[2].Trim(' ') : "";
        if (comment.Length > MaxCommentLength)
            return $"has a comment longer than {MaxCommentLength} characters";
        if (TextRules.Check(comment) is { } textWhy)
            return $"has a comment that {textWhy}";
        if (CheckBlob(type, blob, out var bits) is { } blobWhy)
            return blobWhy;
        key = new SshPublicKey(type, blob, comment, bits);
        return null;
    }

    private static bool LooksLikeOptions(string word) =>
        word.Contains('=') || word.Contains(',') || word is "restrict" or "cert-authority" or "no-pty" or "no-port-forwarding"
            or "no-agent-forwarding" or "no-X11-forwarding" or "no-user-rc" or "no-touch-required" or "verify-required";

    /// <summary>Walks the blob field by field (RFC 4253 string/mpint encoding) for the line's type.</summary>
    private static string? CheckBlob(string type, byte[] blob, out int bits)
    {
        bits = 0;
        var reader = new BlobReader(blob);
        if (reader.Text() != type)
            return "has key data of another type than the line names";
        switch (type)
        {
            case SshKeyTypes.Ed25519:
            case SshKeyTypes.SkEd25519:
                if (reader.Field()?.Length != 32)
                    return "has an ed25519 key that is not 32 bytes";
                bits = 256;
                break;
            case SshKeyTypes.RsaType:
                var e = reader.Field();
                var n = reader.Field();
                if (e is null || n is null || e.Length is 0 or > 8 || n.Length < 2 || (n[0] & 0x80) != 0)
                    return "has malformed RSA key data";
                bits = (int)new BigInteger(n, isUnsigned: true, isBigEndian: true).GetBitLength();
                if (bits < MinRsaBits)
                    return $"is a {bits}-bit RSA key; at least {MinRsaBits} bits are required";
                if (bits > MaxRsaBits)
                    return $"is a {bits}-bit RSA key; at most {MaxRsaBits} bits are accepted";
                break;
            default:
                var curve = SshKeyTypes.CurveOf(type);
                if (reader.Text() != curve.Name || reader.Field() is not { } point || point.Length != curve.PointBytes || point[0] != 4)
                    return $"has malformed {curve.Name} key data";
                bits = curve.Bits;
                break;
        }
        if (type.StartsWith("sk-", StringComparison.Ordinal) && reader.Text() is not { Length: > 0 })
            return "is a security-key key without its application";
        return reader.AtEnd ? null : "has extra data after the key";
    }

    /// <summary>Reads uint32-length-prefixed fields; null once the data runs short.</summary>
    private sealed class BlobReader(byte[] blob)
    {
        private int _at;

        public bool AtEnd => _at == blob.Length;

        public byte[]? Field()
        {
            if (blob.Length - _at < 4) return null;
            var length = BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(_at));
            if (length > (uint)(blob.Length - _at - 4)) return null;
            var field = blob.AsSpan(_at + 4, (int)length).ToArray();
            _at += 4 + (int)length;
            return field;
        }

        public string? Text() => Field() is { } f && f.All(b => b is > 0x20 and < 0x7f) ? System.Text.Encoding.ASCII.GetString(f) : null;
    }
}
