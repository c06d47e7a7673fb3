using ImpVpn.Core.Daemon;

namespace ImpVpn.Daemon.Tests;

/// <summary>A daemon configuration every check accepts, with a real self-signed certificate and a macaroon file in
/// <c>folder</c>: the starting point each refusal test changes one value of.</summary>
internal static class UsableConfiguration
{
    public static DaemonConfigurationFile In(string folder)
    {
        var cert = Path.Combine(folder, "tls.cert");
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        var macaroon = Path.Combine(folder, "admin.macaroon");
        File.WriteAllBytes(macaroon, [1, 2, 3, 4]);
        return new DaemonConfigurationFile
        {
            StorePath = Path.Combine(folder, "store"),
            Node = new DaemonConfigurationFile.NodeSection { TlsCertPath = cert, MacaroonPath = macaroon, Network = "regtest" },
            Seller = new DaemonConfigurationFile.SellerSection { Enabled = true, Endpoint = "203.0.113.5:51820", PricePerHourSat = 500 },
            Refresh = new DaemonConfigurationFile.RefreshSection { Enabled = true, BudgetSat = 700 },
        };
    }
}
