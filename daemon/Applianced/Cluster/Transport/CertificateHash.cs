using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Daemon.Cluster.Transport;

public static class CertificateHash
{
    /// <summary>
    /// SHA-256 of the DER certificate. A missing certificate (the in-memory pair) hashes as the
    /// empty byte string, so both sides of a pair still agree on what they bind the proof to.
    /// </summary>
    public static byte[] Of(X509Certificate? certificate) =>
        SHA256.HashData(certificate is null ? [] : certificate.GetRawCertData());

    public static string ToHex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);
}
