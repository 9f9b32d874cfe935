using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Tests.Appliers;
using static Appliance.Tests.Support.TestPki;

namespace Appliance.Tests.Certificates;

/// <summary>
/// certificates.trustedCa in use: a peer's TLS syslog forwarding against a real TLS receiver on
/// loopback, which presents the server certificate installed on the same peer (through the API the
/// HTTPS service will use). Delivered only when the selected bundle signed it and the host name matches.
/// </summary>
public sealed class SyslogTrustTests
{
    private static async Task<(NodeFixture F, TlsSyslogReceiver Receiver)> StartAsync()
    {
        var f = NodeFixture.Start();
        using var lab = Ca("Lab Root");
        using var other = Ca("Other Root");
        using var server = Server(lab, "syslog.test");
        await f.Call("certificates.addCa", new JsonObject { ["name"] = "lab", ["pem"] = Pem(lab) });
        await f.Call("certificates.addCa", new JsonObject { ["name"] = "other", ["pem"] = Pem(other) });
        await f.Call("certificates.addServer", new JsonObject { ["name"] = "syslog", ["pem"] = Pem(server, lab) + KeyPem(server) });
        return (f, new TlsSyslogReceiver(f.Node.Certificates.ServerCertificate("syslog")));
    }

    private static async Task Delivered(NodeFixture f, TlsSyslogReceiver receiver, string text)
    {
        await f.Settled(f.Appliers.Syslog, s => s.Reason.StartsWith("forwarding", StringComparison.Ordinal));
        f.Node.Logs.Event(text);
        await NodeFixture.Eventually(() => receiver.Messages.Any(m => m.Contains(text, StringComparison.Ordinal)),
            () => $"'{text}' not received; syslog applier: {f.Appliers.Syslog.Status.Reason}");
    }

    /// <summary>The forwarder's last error, as the syslog applier reports it on its next run.</summary>
    private static async Task<string> Refused(NodeFixture f, TlsSyslogReceiver receiver, string text)
    {
        await f.Settled(f.Appliers.Syslog, s => s.Reason.StartsWith("forwarding", StringComparison.Ordinal));
        f.Node.Logs.Event(text);
        await NodeFixture.Eventually(() => receiver.Connections > 0, () => "the forwarder never connected");
        var deadline = DateTime.UtcNow + NodeFixture.Timeout;
        ApplierStatus status;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, $"the syslog applier never reported the refusal: {f.Appliers.Syslog.Status.Reason}");
            await Task.Delay(50);
            f.Appliers.Syslog.Trigger();
            status = await f.Settled(f.Appliers.Syslog);
        }
        while (!status.Reason.Contains("retrying", StringComparison.Ordinal));
        Assert.DoesNotContain(receiver.Messages, m => m.Contains(text, StringComparison.Ordinal));
        return status.Reason;
    }

    [Fact]
    public async Task Messages_reach_a_tls_server_signed_by_the_selected_bundle()
    {
        var (f, receiver) = await StartAsync();
        await using var _ = f;
        await using var __ = receiver;
        await f.Set("certificates.trustedCa", "lab");
        await f.Set("syslog.servers", $"127.0.0.1:{receiver.Port}/tls");
        await Delivered(f, receiver, "over tls, trusted through lab");
    }

    [Fact]
    public async Task A_server_signed_by_another_ca_is_refused_until_its_bundle_is_selected()
    {
        var (f, receiver) = await StartAsync();
        await using var _ = f;
        await using var __ = receiver;
        await f.Set("certificates.trustedCa", "other");
        await f.Set("syslog.servers", $"127.0.0.1:{receiver.Port}/tls");
        var reason = await Refused(f, receiver, "must not arrive");
        Assert.Contains("errors in the certificate chain", reason, StringComparison.Ordinal);

        // Selecting the right bundle replaces the forwarder: what was queued and what follows arrive.
        await f.Set("certificates.trustedCa", "lab");
        await Delivered(f, receiver, "after selecting lab");
    }

    [Fact]
    public async Task The_host_name_is_checked_against_the_certificate_under_the_selected_bundle()
    {
        var (f, receiver) = await StartAsync();
        await using var _ = f;
        await using var __ = receiver;
        await f.Set("certificates.trustedCa", "lab");
        // The certificate names 127.0.0.1 and syslog.test, not localhost.
        await f.Set("syslog.servers", $"localhost:{receiver.Port}/tls");
        var reason = await Refused(f, receiver, "wrong name");
        Assert.Contains("RemoteCertificateNameMismatch", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_selected_bundle_the_system_store_decides_and_refuses_a_private_ca()
    {
        var (f, receiver) = await StartAsync();
        await using var _ = f;
        await using var __ = receiver;
        await f.Set("syslog.servers", $"127.0.0.1:{receiver.Port}/tls");
        var reason = await Refused(f, receiver, "system store");
        Assert.Contains("errors in the certificate chain", reason, StringComparison.Ordinal);
    }
}
