using System.Text.Json.Nodes;
using Appliance.Ctl;
using static Appliance.Tests.Support.TestPki;

namespace Appliance.Tests.Lifecycle;

/// <summary>`certificates ...` through appliancectl against the real daemon: PEM from stdin or a file, refusals as exit 2 with the reason.</summary>
public partial class CtlAgainstDaemonTests
{
    [Fact(Timeout = 60_000)]
    public async Task Certificates_are_added_from_stdin_and_a_file_listed_selected_and_refused_with_reasons()
    {
        using var lab = Ca("Lab Root");
        using var server = Server(lab, "srv.test");
        var added = await CtlIn(Pem(lab), "certificates", "add-ca", "lab", "-");
        Assert.True(added.Code == ExitCodes.Ok, added.Err);
        Assert.Contains("CA bundle 'lab' installed", added.Out, StringComparison.Ordinal);
        Assert.Contains("CN=Lab Root", added.Out, StringComparison.Ordinal);

        var notCa = await CtlIn(Pem(server), "certificates", "add-ca", "wrong", "-");
        Assert.Equal(ExitCodes.Rejected, notCa.Code);
        Assert.Contains("certificate 1 (CN=srv.test) is not a CA certificate", notCa.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await CtlIn("", "certificates", "add-ca", "empty", "-")).Code);

        var keyPem = KeyPem(server);
        await File.WriteAllTextAsync(_d["server.pem"], Pem(server, lab) + keyPem);
        var withKey = await Ctl("certificates", "add-server", "web", _d["server.pem"]);
        Assert.True(withKey.Code == ExitCodes.Ok, withKey.Err);
        Assert.DoesNotContain(keyPem.Split('\n')[1], withKey.Out, StringComparison.Ordinal);

        var unknown = await Ctl("config", "set", "certificates.trustedCa", "nope");
        Assert.Equal(ExitCodes.Rejected, unknown.Code);
        Assert.Contains("certificates.trustedCa", unknown.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, (await Ctl("config", "set", "certificates.trustedCa", "lab")).Code);

        var list = await Ctl("--json", "certificates", "list");
        var rows = JsonNode.Parse(list.Out)!["certificates"]!.AsArray();
        var row = rows.Single(r => (string?)r!["name"] == "lab")!;
        Assert.Equal("certificates.trustedCa", (string?)row["usedAs"]);
        Assert.Equal(3, rows.Count); // lab, and web's certificate and chain
        var inUse = await Ctl("certificates", "remove", "lab");
        Assert.Equal(ExitCodes.Rejected, inUse.Code);
        Assert.Contains("in use as certificates.trustedCa", inUse.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, (await Ctl("certificates", "remove", "web")).Code);
    }
}
