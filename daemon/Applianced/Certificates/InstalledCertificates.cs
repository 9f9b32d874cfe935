using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Certificates;

/// <summary>
/// CA bundles and server certificates installed on this peer, by name, for the names the
/// "certificates" section selects (trustedCa, serverCertificate). The certificates are a record of
/// this peer's scope (section <see cref="Section"/>, like licences: outside the configuration model,
/// so no config command writes one unchecked); they replicate read-only, which is harmless for public
/// certificates. A server's private key is a local value (<see cref="KeyPrefix"/>): it never leaves
/// this peer except inside a backup of it, and no command shows it. Both live in the store, so they
/// survive restarts and are in every backup.
/// </summary>
public sealed partial class InstalledCertificates(ConfigStore config, TimeProvider time)
{
    public const string Section = "installed-certificates";
    public const string KeyPrefix = "certificate-key:";
    public const string Ca = "ca";
    public const string Server = "server";

    /// <summary>Largest PEM text taken: a CA bundle of some dozens of certificates, or a certificate, its chain and key.</summary>
    public const int MaxTextBytes = 64 * 1024;

    private readonly Lock _write = new();

    private sealed record Stored(string Kind, string Pem, DateTimeOffset Added);

    private Store.Store Store => config.Store;

    /// <summary>Name to kind (<see cref="Ca"/> or <see cref="Server"/>) of what this peer holds, for the certificates section's rule.</summary>
    public IReadOnlyDictionary<string, string> Kinds() =>
        Records(Store.PeerId).ToDictionary(r => r.Name, r => r.Value.Kind, StringComparer.Ordinal);

    /// <summary>
    /// Checks and stores a CA bundle (<paramref name="kind"/> <see cref="Ca"/>) or a server certificate
    /// with its chain and key. All or nothing: a refusal (ApiException) stores nothing. Returns the warnings.
    /// </summary>
    public List<string> Add(string kind, string name, string text)
    {
        if (!ItemNames.IsValid(name))
            throw new ApiException(ApiException.Validation, $"'{TextRules.Escape(name)}' {ItemNames.Rule}", "name", TextRules.Escape(name));
        if (Encoding.UTF8.GetByteCount(text) > MaxTextBytes)
            throw PemBundle.Refused($"the PEM text is larger than {MaxTextBytes / 1024} KiB");
        using var bundle = PemBundle.Parse(text);
        var now = time.GetUtcNow();
        string? keyPem = null;
        List<string> warnings;
        if (kind == Ca)
        {
            warnings = CertificateCheck.Ca(bundle, now);
        }
        else
        {
            var (key, serverWarnings) = CertificateCheck.Server(bundle, now);
            using (key) keyPem = PrivateKeys.ToPem(key);
            warnings = serverWarnings;
        }
        var pem = string.Concat(bundle.Certificates.Select(c => c.ExportCertificatePem() + "\n"));
        var value = JsonSerializer.Serialize(new Stored(kind, pem, now), Json);
        lock (_write)
        {
            if (Store.Get(config.OwnScope, Section, name)?.Value is not null)
                throw new ApiException(ApiException.Conflict, $"a certificate named '{name}' is already installed; remove it first or choose another name", "name", name);
            // The key first: a record never names a key that is not there yet.
            if (keyPem is not null) Store.SetLocal(KeyPrefix + name, keyPem);
            Store.Write([new Mutation(config.OwnScope, Section, name, value)]);
        }
        return warnings;
    }

    /// <summary>Removes one; refused while the certificates section selects it, so nothing in use disappears.</summary>
    public void Remove(string name)
    {
        lock (_write)
        {
            if (Store.Get(config.OwnScope, Section, name)?.Value is null)
                throw new ApiException(ApiException.NotFound, $"no certificate named '{TextRules.Escape(name)}' is installed on this peer", "name", TextRules.Escape(name));
            var selected = config.Read("certificates");
            foreach (var field in new[] { "trustedCa", "serverCertificate" })
            {
                if (RuleContext.Text(selected, field) == name)
                    throw new ApiException(ApiException.Conflict,
                        $"'{name}' is in use as certificates.{field}; set certificates.{field} to another name or unset it first", $"certificates.{field}", name);
            }
            Store.Write([new Mutation(config.OwnScope, Section, name, null)]);
            Store.SetLocal(KeyPrefix + name, null);
        }
    }

    private IEnumerable<(string Name, Stored Value)> Records(string peerId) =>
        Store.List(Scopes.Peer(peerId), Section)
            .Select(r => (r.Key, Value: Parse(r.Value)))
            .Where(r => r.Value is not null)
            .Select(r => (r.Key, r.Value!));

    private static Stored? Parse(string? json)
    {
        try { return json is null ? null : JsonSerializer.Deserialize<Stored>(json, Json); }
        catch (JsonException) { return null; }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
