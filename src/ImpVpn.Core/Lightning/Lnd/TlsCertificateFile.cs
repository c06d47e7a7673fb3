using System.Security.Cryptography.X509Certificates;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>Reads LND's tls.cert (PEM) into the DER bytes the connection pins.</summary>
public static class TlsCertificateFile
{
    public static byte[] ReadDer(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"LND's TLS certificate was not found at '{path}'. Give -TlsCertPath, or the LND directory.", path);
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return certificate.RawData;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CertificateMismatchException($"'{path}' is not a PEM certificate: {e.Message}", e);
        }
    }
}
