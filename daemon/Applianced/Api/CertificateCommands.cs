using System.Text.Json.Nodes;
using Appliance.Daemon.Certificates;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>
/// certificates.addCa|addServer|list|remove. The PEM comes as text in the request (the CLI reads a
/// file or stdin); the daemon opens no file, and no result or log line holds key material.
/// </summary>
internal sealed class CertificateCommands(InstalledCertificates certificates, NodeLogs logs)
{
    public void Register(ApiRouter router) => router
        .Add("certificates.list", _ => List())
        .Add("certificates.addCa", r => Add(r, InstalledCertificates.Ca))
        .Add("certificates.addServer", r => Add(r, InstalledCertificates.Server))
        .Add("certificates.remove", r =>
        {
            var name = r.RequiredString("name");
            certificates.Remove(name);
            logs.Event($"certificate '{name}' removed by {r.Who} ({r.Channel})");
            return new JsonObject { ["name"] = name, ["removed"] = true };
        });

    private JsonObject List() => new() { ["title"] = "certificates", ["certificates"] = certificates.List() };

    private JsonObject Add(ApiRequest r, string kind)
    {
        var name = r.RequiredString("name");
        var warnings = certificates.Add(kind, name, r.WithoutPaths("file").RequiredString("pem"));
        var what = kind == InstalledCertificates.Ca ? "CA bundle" : "server certificate";
        logs.Event($"{what} '{name}' installed by {r.Who} ({r.Channel})");
        var result = List();
        result["title"] = $"{what} '{name}' installed";
        result["warnings"] = new JsonArray(warnings.Select(w => (JsonNode)w).ToArray());
        return result;
    }
}
