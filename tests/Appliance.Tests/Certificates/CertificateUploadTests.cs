using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Appliance.Tests.Appliers;
using static Appliance.Tests.Support.TestPki;

namespace Appliance.Tests.Certificates;

/// <summary>
/// certificates.addCa / addServer against an in-process peer: every refusal names the certificate
/// (place and subject) and stores nothing; no answer repeats key material.
/// </summary>
public sealed class CertificateUploadTests
{
    private static Task<JsonNode?> AddCa(NodeFixture f, string name, string pem) =>
        f.Call("certificates.addCa", new JsonObject { ["name"] = name, ["pem"] = pem });

    private static Task<JsonNode?> AddServer(NodeFixture f, string name, string pem) =>
        f.Call("certificates.addServer", new JsonObject { ["name"] = name, ["pem"] = pem });

    private static async Task<string> Refused(NodeFixture f, Func<Task> call, string kind = ApiException.Validation)
    {
        var e = await Assert.ThrowsAsync<ApiException>(call);
        Assert.Equal(kind, e.Kind);
        Assert.DoesNotContain(f.Node.Certificates.Kinds(), k => k.Key.StartsWith("bad", StringComparison.Ordinal));
        return e.Message;
    }

    [Fact]
    public async Task A_ca_bundle_is_listed_with_subject_issuer_expiry_and_fingerprint()
    {
        await using var f = NodeFixture.Start();
        using var root = Ca("Lab Root");
        using var second = Ca("Lab Second");
        var result = (await AddCa(f, "lab", Pem(root, second)))!;
        Assert.Empty(result["warnings"]!.AsArray());
        var rows = (await f.Call("certificates.list"))!["certificates"]!.AsArray();
        Assert.Equal(2, rows.Count);
        Assert.Equal("lab", (string?)rows[0]!["name"]);
        Assert.Equal("ca", (string?)rows[0]!["kind"]);
        Assert.Equal("CN=Lab Root", (string?)rows[0]!["subject"]);
        Assert.Equal("CN=Lab Root", (string?)rows[0]!["issuer"]);
        Assert.Equal(Convert.ToHexString(root.GetCertHash(HashAlgorithmName.SHA256)), (string?)rows[0]!["sha256"]);
        Assert.Equal(root.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"), (string?)rows[0]!["notAfter"]);
        Assert.Equal("CN=Lab Second", (string?)rows[1]!["subject"]);
    }

    [Fact]
    public async Task Ca_bundles_are_refused_when_expired_not_ca_holding_a_key_or_not_pem()
    {
        await using var f = NodeFixture.Start();
        using var root = Ca("Lab Root");
        using var old = Ca("Old Root", notAfter: Now.AddDays(-1));
        using var server = Server(root, "srv.test");
        Assert.Contains("certificate 2 (CN=Old Root) expired on", await Refused(f, () => AddCa(f, "bad1", Pem(root, old))));
        Assert.Contains("certificate 2 (CN=srv.test) is not a CA certificate", await Refused(f, () => AddCa(f, "bad2", Pem(root, server))));
        Assert.Contains("holds a private key", await Refused(f, () => AddCa(f, "bad3", Pem(root) + KeyPem(server))));
        Assert.Contains("no PEM block", await Refused(f, () => AddCa(f, "bad4", "just some text\n")));
        var broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        Assert.Contains("certificate 2 is not a valid X.509 certificate", await Refused(f, () => AddCa(f, "bad5", Pem(root) + broken)));
        Assert.Contains("'bad/6' is not a valid name", await Refused(f, () => AddCa(f, "bad/6", Pem(root))));
        await AddCa(f, "lab", Pem(root));
        Assert.Contains("already installed", await Refused(f, () => AddCa(f, "lab", Pem(root)), ApiException.Conflict));
    }

    [Fact]
    public async Task A_ca_expiring_soon_or_a_self_signed_leaf_is_accepted_with_a_warning()
    {
        await using var f = NodeFixture.Start();
        using var soon = Ca("Soon Root", notAfter: Now.AddDays(10));
        using var leaf = Ca("Pinned Server", isCa: false);
        var warnings = (await AddCa(f, "soon", Pem(soon)))!["warnings"]!.AsArray().Select(w => (string)w!).ToList();
        Assert.Contains(warnings, w => w.Contains("certificate 1 (CN=Soon Root) expires on") && w.Contains("30 days"));
        warnings = (await AddCa(f, "pinned", Pem(leaf)))!["warnings"]!.AsArray().Select(w => (string)w!).ToList();
        Assert.Contains(warnings, w => w.Contains("certificate 1 (CN=Pinned Server) is not a CA certificate"));
    }

    [Fact]
    public async Task Server_certificates_are_refused_for_a_wrong_missing_or_encrypted_key_weak_rsa_and_client_only_use()
    {
        await using var f = NodeFixture.Start();
        using var root = Ca("Lab Root");
        using var server = Server(root, "srv.test");
        using var other = Server(root, "other.test");
        var otherKey = KeyPem(other);
        var mismatch = await Refused(f, () => AddServer(f, "bad1", Pem(server, root) + otherKey));
        Assert.Contains("does not belong to certificate 1 (CN=srv.test)", mismatch);
        Assert.DoesNotContain(otherKey.Split('\n')[1], mismatch, StringComparison.Ordinal);
        Assert.Contains("no private key", await Refused(f, () => AddServer(f, "bad2", Pem(server, root))));
        var encrypted = server.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem("pw",
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        Assert.Contains("block 2 is an encrypted private key", await Refused(f, () => AddServer(f, "bad3", Pem(server) + encrypted)));
        using var weak = RSA.Create(1024);
        using var weakServer = Server(root, "weak.test", key: weak);
        Assert.Contains("certificate 1 (CN=weak.test) has a 1024-bit RSA key", await Refused(f, () => AddServer(f, "bad4", Pem(weakServer) + KeyPem(weakServer))));
        using var client = Server(root, "client.test", eku: "1.3.6.1.5.5.7.3.2");
        Assert.Contains("lacks serverAuth", await Refused(f, () => AddServer(f, "bad5", Pem(client) + KeyPem(client))));
        using var expired = Server(root, "late.test", notAfter: Now.AddMinutes(-1));
        Assert.Contains("certificate 1 (CN=late.test) expired", await Refused(f, () => AddServer(f, "bad6", Pem(expired) + KeyPem(expired))));
    }

    [Fact]
    public async Task A_server_certificate_with_an_rsa_key_in_traditional_form_is_served_with_its_chain()
    {
        await using var f = NodeFixture.Start();
        using var root = Ca("Lab Root");
        using var rsa = RSA.Create(2048);
        using var server = Server(root, "srv.test", key: rsa);
        var result = (await AddServer(f, "web", Pem(server, root) + rsa.ExportRSAPrivateKeyPem()))!;
        Assert.Empty(result["warnings"]!.AsArray());
        var context = f.Node.Certificates.ServerCertificate("web");
        Assert.True(context.TargetCertificate.HasPrivateKey);
        Assert.Equal(server.Thumbprint, context.TargetCertificate.Thumbprint);
        Assert.Null(f.Node.Certificates.ConfiguredServerCertificate());
    }

    [Fact]
    public async Task Selecting_a_name_needs_it_installed_as_the_right_kind_and_a_selected_one_cannot_be_removed()
    {
        await using var f = NodeFixture.Start();
        using var root = Ca("Lab Root");
        using var server = Server(root, "srv.test");
        var unknown = await Assert.ThrowsAsync<ConfigValidationException>(() => f.Set("certificates.trustedCa", "lab"));
        Assert.Equal("certificates.trustedCa", unknown.Error.Field);
        Assert.Contains("not a CA bundle installed on this peer", unknown.Message);
        await AddCa(f, "lab", Pem(root));
        await AddServer(f, "web", Pem(server) + KeyPem(server));
        var wrongKind = await Assert.ThrowsAsync<ConfigValidationException>(() => f.Set("certificates.trustedCa", "web"));
        Assert.Contains("installed as a server certificate", wrongKind.Message);
        var caAsServer = await Assert.ThrowsAsync<ConfigValidationException>(() => f.Set("certificates.serverCertificate", "lab"));
        Assert.Equal("certificates.serverCertificate", caAsServer.Error.Field);
        await f.Set("certificates.trustedCa", "lab");
        await f.Set("certificates.serverCertificate", "web");

        var inUse = await Assert.ThrowsAsync<ApiException>(() => f.Call("certificates.remove", new JsonObject { ["name"] = "lab" }));
        Assert.Equal(ApiException.Conflict, inUse.Kind);
        Assert.Contains("in use as certificates.trustedCa", inUse.Message);
        await f.Call("config.unset", new JsonObject { ["path"] = "certificates.trustedCa" });
        await f.Call("certificates.remove", new JsonObject { ["name"] = "lab" });
        Assert.DoesNotContain("lab", f.Node.Certificates.Kinds().Keys);
        var gone = await Assert.ThrowsAsync<ApiException>(() => f.Call("certificates.remove", new JsonObject { ["name"] = "lab" }));
        Assert.Equal(ApiException.NotFound, gone.Kind);
    }

    [Fact]
    public async Task Installed_certificates_and_the_key_survive_a_restart_and_the_key_is_never_shown()
    {
        await using var f = NodeFixture.Start();
        using var root = Ca("Lab Root");
        using var server = Server(root, "srv.test");
        var keyPem = KeyPem(server);
        await AddServer(f, "web", Pem(server, root) + keyPem);
        await f.Set("certificates.serverCertificate", "web");
        await f.ReopenAsync();

        var context = f.Node.Certificates.ConfiguredServerCertificate()!;
        Assert.True(context.TargetCertificate.HasPrivateKey);
        Assert.Equal(server.Thumbprint, context.TargetCertificate.Thumbprint);
        var keyLine = keyPem.Split('\n')[1];
        foreach (var shown in new[] { await f.Call("certificates.list"), await f.Call("config.show"), await f.Call("status") })
            Assert.DoesNotContain(keyLine, shown!.ToJsonString(), StringComparison.Ordinal);
        // The key is local: the replicated record holds certificates only.
        var record = f.Node.Store.Get(f.Node.Config.OwnScope, Daemon.Certificates.InstalledCertificates.Section, "web")!;
        Assert.DoesNotContain("PRIVATE KEY", record.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_stored_bundle_is_listed_as_damaged_and_never_trusted()
    {
        await using var f = NodeFixture.Start();
        using var root = Ca("Lab Root");
        await AddCa(f, "good", Pem(root));
        // What a damaged or crafted restore could hold: a record whose PEM is no longer certificates.
        f.Node.Store.Write([new Daemon.Store.Mutation(f.Node.Config.OwnScope, Daemon.Certificates.InstalledCertificates.Section, "broken",
            """{"kind":"ca","pem":"not pem","added":"2026-01-01T00:00:00Z"}""")]);
        var rows = (await f.Call("certificates.list"))!["certificates"]!.AsArray();
        Assert.Contains("damaged", (string?)rows.Single(r => (string?)r!["name"] == "broken")!["subject"]);
        Assert.Equal("CN=Lab Root", (string?)rows.Single(r => (string?)r!["name"] == "good")!["subject"]);
        var e = Assert.Throws<InvalidOperationException>(() => f.Node.Certificates.TrustedRoots("broken"));
        Assert.Contains("'broken' is damaged", e.Message);
    }
}
