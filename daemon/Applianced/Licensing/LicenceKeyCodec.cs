using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Appliance.Daemon.Licensing;

/// <summary>
/// The text form of a licence key: <c>base64url(payload JSON) "." base64url(signature)</c>, where the
/// signature is ECDSA P-256 / SHA-256 (IEEE P1363, 64 bytes) over the ASCII of the first part.
/// Signing the encoded text (as JWS does) means no JSON canonicalisation is needed.
/// Payloads (field "v" is the payload version):
/// <code>
/// {"v":1,"kind":"release","serial":"S","edition":"full"|"select"}
/// {"v":1,"kind":"option","serial":"S","personalMultiparty":N,"sharedMultiparty":N,"id":"..."}
/// </code>
/// </summary>
public static class LicenceKeyCodec
{
    // Payload versions, one line each on what changed.
    /// <summary>First version: release and option kinds.</summary>
    public const int PayloadVersion1 = 1;

    public const int MaxKeyLength = 2048;
    private const int SignatureSize = 64;

    /// <summary>Signs <paramref name="key"/> with the vendor's private key.</summary>
    public static string Encode(LicenceKey key, ECDsa vendorPrivateKey)
    {
        var payload = Base64Url.EncodeToString(Payload(key));
        var signature = vendorPrivateKey.SignData(Encoding.ASCII.GetBytes(payload), HashAlgorithmName.SHA256);
        return payload + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Checks shape and signature and reads the payload; does not check the serial.</summary>
    /// <exception cref="LicenceException">InvalidFormat or BadSignature, saying what was wrong.</exception>
    public static LicenceKey Decode(string text, ECDsa vendorPublicKey)
    {
        var key = Normalize(text);
        if (key.Length == 0)
            throw Format("it is empty");
        if (key.Length > MaxKeyLength)
            throw Format($"it is {key.Length} characters, more than {MaxKeyLength}", key);
        var parts = key.Split('.');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw Format("expected two base64url parts separated by one '.'", key);
        if (!Base64Url.IsValid(parts[0]) || !Base64Url.IsValid(parts[1]))
            throw Format("a part is not base64url", key);
        var signature = Base64Url.DecodeFromChars(parts[1]);
        if (signature.Length != SignatureSize)
            throw Format($"the signature is {signature.Length} bytes, not {SignatureSize}", key);
        if (!vendorPublicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0]), signature, HashAlgorithmName.SHA256))
            throw new LicenceException(LicenceError.BadSignature, $"licence key {Short(key)}: bad signature (not issued by the vendor, or altered)");
        return Parse(Base64Url.DecodeFromChars(parts[0]), key);
    }

    /// <summary>Keys are pasted from mail and terminals: whitespace and line breaks inside are dropped.</summary>
    public static string Normalize(string text) =>
        string.Concat((text ?? "").Where(c => !char.IsWhiteSpace(c)));

    /// <summary>A short, recognisable form of a key for messages.</summary>
    public static string Short(string key) => key.Length <= 16 ? key : key[..12] + "…" + key[^4..];

    private static byte[] Payload(LicenceKey key)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", PayloadVersion1);
            switch (key)
            {
                case ReleaseKey r:
                    if (r.Edition is not (LicenceEdition.Full or LicenceEdition.Select))
                        throw new ArgumentException($"a release key grants Full or Select, not {r.Edition}");
                    w.WriteString("kind", "release");
                    w.WriteString("serial", CheckSerial(r.Serial));
                    w.WriteString("edition", r.Edition == LicenceEdition.Full ? "full" : "select");
                    break;
                case OptionKey o:
                    if (o.PersonalMultiparty < 0 || o.SharedMultiparty < 0)
                        throw new ArgumentException($"multiparty capacity must not be negative (personal {o.PersonalMultiparty}, shared {o.SharedMultiparty})");
                    if (string.IsNullOrWhiteSpace(o.Id))
                        throw new ArgumentException("an option key needs an id");
                    w.WriteString("kind", "option");
                    w.WriteString("serial", CheckSerial(o.Serial));
                    w.WriteNumber("personalMultiparty", o.PersonalMultiparty);
                    w.WriteNumber("sharedMultiparty", o.SharedMultiparty);
                    w.WriteString("id", o.Id);
                    break;
                default:
                    throw new ArgumentException($"unknown licence key type {key.GetType().Name}");
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static string CheckSerial(string serial) =>
        string.IsNullOrWhiteSpace(serial) ? throw new ArgumentException("the hardware serial must not be empty") : serial;

    private static LicenceKey Parse(byte[] json, string key)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Format("the payload is not a JSON object", key);
            var v = Int(root, "v", key);
            if (v != PayloadVersion1)
                throw Format($"payload version {v} is not one this software reads ({PayloadVersion1})", key);
            var serial = Str(root, "serial", key);
            return Str(root, "kind", key) switch
            {
                "release" => new ReleaseKey(serial, Str(root, "edition", key) switch
                {
                    "full" => LicenceEdition.Full,
                    "select" => LicenceEdition.Select,
                    var other => throw Format($"unknown edition \"{other}\" (expected full or select)", key),
                }),
                "option" => new OptionKey(serial, NonNegative(root, "personalMultiparty", key), NonNegative(root, "sharedMultiparty", key), Str(root, "id", key)),
                var other => throw Format($"unknown kind \"{other}\" (expected release or option)", key),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // JsonDocument checks the structure only: a string that is not UTF-8, or holds a lone
            // surrogate escape, fails when it is read (InvalidOperationException).
            throw Format("the payload is not JSON", key, e);
        }
    }

    private static string Str(JsonElement o, string name, string key) =>
        o.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(p.GetString())
            ? p.GetString()!
            : throw Format($"field \"{name}\" is missing or not a non-empty string", key);

    private static int Int(JsonElement o, string name, string key) =>
        o.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var i)
            ? i
            : throw Format($"field \"{name}\" is missing or not an integer", key);

    private static int NonNegative(JsonElement o, string name, string key)
    {
        var i = Int(o, name, key);
        return i >= 0 ? i : throw Format($"field \"{name}\" is negative ({i})", key);
    }

    // The text is not known to be a key, so none of it is repeated: it may be whatever file the
    // operator gave by mistake, and an error message must not become a way to read a file.
    private static LicenceException Format(string what, string? key = null, Exception? inner = null) =>
        new(LicenceError.InvalidFormat, $"the text has an invalid format for a licence key: {what}", inner);
}
