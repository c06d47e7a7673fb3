using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Lightning.Tests.Client;

public sealed class OptionsTests
{
    private static readonly byte[] Macaroon = [2, 1, 3, 0xAB, 0xCD, 0xEF, 0x10, 0x20];

    internal static byte[] SelfSignedCertificate()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        return certificate.RawData;
    }

    [Fact]
    public void An_lndconnect_uri_gives_host_port_cert_and_macaroon()
    {
        var cert = SelfSignedCertificate();
        var uri = LndConnectUri.Format("node.example", 10009, cert, Macaroon);

        var options = LndConnectUri.Parse(uri);

        Assert.Equal("node.example", options.Host);
        Assert.Equal(10009, options.Port);
        Assert.Equal(cert, options.PinnedCertificate);
        Assert.Equal(Macaroon, options.Macaroon);
    }

    [Fact]
    public void An_lndconnect_uri_without_cert_trusts_the_system_CAs()
    {
        var options = LndConnectUri.Parse("lndconnect://[::1]:8080?macaroon=" + LndConnectUri.EncodeBase64Url(Macaroon));
        Assert.Null(options.PinnedCertificate);
        Assert.Equal("::1", options.Host);
        Assert.Equal(8080, options.Port);
    }

    [Fact]
    public void An_ipv6_host_survives_formatting_and_parsing()
    {
        var options = LndConnectUri.Parse(LndConnectUri.Format("::1", 10010, null, Macaroon));
        Assert.Equal(("::1", 10010), (options.Host, options.Port));
        Assert.Equal("[::1]:10010", options.RpcAddress);
    }

    [Theory]
    [InlineData("lndconnect://node:10009?cert=&macaroon=AQID")]
    [InlineData("lndconnect://node:10009?cert=MIIB_w&macaroon=AQID")]
    public void A_cert_that_is_not_a_certificate_is_refused_when_parsing_not_at_every_handshake(string uri) =>
        Assert.Contains("not a DER-encoded certificate", Assert.Throws<FormatException>(() => LndConnectUri.Parse(uri)).Message);

    [Theory]
    [InlineData("https://node:10009?macaroon=AQID")]
    [InlineData("lndconnect://node:99999?macaroon=AQID")]
    [InlineData("lndconnect://node:10009?macaroon=***")]
    public void Malformed_lndconnect_uris_are_format_errors(string uri) =>
        Assert.ThrowsAny<FormatException>(() => LndConnectUri.Parse(uri));

    [Fact]
    public void An_lndconnect_uri_without_a_macaroon_is_a_macaroon_error_that_does_not_repeat_the_uri()
    {
        var error = Assert.Throws<MacaroonException>(() => LndConnectUri.Parse("lndconnect://node:10009?cert=AAAA"));
        Assert.DoesNotContain("AAAA", error.Message);
    }

    [Fact]
    public void The_lnd_directory_defaults_follow_lnds_layout()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lnd-layout");
        Assert.Equal(Path.Combine(dir, "data", "chain", "bitcoin", "regtest", "admin.macaroon"), LndDirectory.MacaroonPath(dir, "regtest"));
        Assert.Equal(Path.Combine(dir, "tls.cert"), LndDirectory.TlsCertPath(dir));
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".lnd"), LndDirectory.DefaultPath());
        }
    }

    [Fact]
    public async Task Resolving_an_lnd_directory_finds_the_simulators_files()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var options = LndDirectory.Resolve(net["alice"].NodeDirectory, "regtest", net["alice"].RpcAddress);
        await using var node = await LndNode.ConnectAsync(options, true, CancellationToken.None);
        Assert.Equal(net["alice"].PubKey, node.Info!.IdentityPubKey);
    }

    [Theory]
    [InlineData("localhost:10009", "localhost", 10009)]
    [InlineData("10.0.0.1", "10.0.0.1", 10009)]
    [InlineData("[fd00::1]:10010", "fd00::1", 10010)]
    public void Host_and_port_are_read_with_lnds_default_port(string text, string host, int port) =>
        Assert.Equal((host, port), LndConnectionOptions.ParseHostPort(text));

    [Fact]
    public void Options_never_print_the_macaroon()
    {
        var options = new LndConnectionOptions("h", 1, null, Macaroon);
        Assert.DoesNotContain(Convert.ToHexString(Macaroon), options.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(Macaroon), options.ToString());
    }
}
