using System.Security.Cryptography.X509Certificates;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>Reads LND's tls.cert (PEM) into the DER bytes the connection pins.</summary>
public static class TlsCertificateFile
{
    public static byte[] ReadDer(string path)
    {
        if (!File.Exists(path))
        {
            throw new TlsCertificateNotFoundException(path);
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return certificate.RawData;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CertificateMismatchException(CertificateProblem.NotACertificate, $"'{path}' is not a PEM certificate: {e.Message}", path: path, inner: e);
        }
    }
}
