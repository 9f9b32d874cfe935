using System.Net.Security;
using Appliance.Daemon.Certificates;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Web;

namespace Appliance.Daemon.Sip;

/// <summary>
/// The certificate SIP over TLS presents: the HTTPS pages' own choice (<see cref="WebCertificate"/>:
/// the server certificate certificates.serverCertificate selects), so one selection serves both.
/// The trunk listens for TLS only while a certificate is selected ("where a certificate is
/// installed"): the pages' self-signed fallback is no certificate a call processor would trust.
/// </summary>
internal sealed class SipCertificate(ConfigStore config, InstalledCertificates installed, NodeLogs logs)
{
    private readonly WebCertificate _choice = new(config, installed, logs);

    /// <summary>Whether certificates.serverCertificate selects a certificate on this peer.</summary>
    public bool Selected => RuleContext.Text(config.Read("certificates"), "serverCertificate") is not null;

    public SslStreamCertificateContext Current() => _choice.Current();
}
