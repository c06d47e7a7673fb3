using System.Text.RegularExpressions;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Lightning.Tests.Client;

/// <summary>The core's connection errors carry their facts as typed properties (path, reason) and state only facts:
/// what to type, and into which cmdlet, is the PowerShell layer's to say.</summary>
public sealed class ErrorFactsTests : IDisposable
{
    private static readonly byte[] Macaroon = [2, 1, 3, 0xAB, 0xCD, 0xEF, 0x10, 0x20];

    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-errors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>No "-MacaroonPath", "-TlsCertPath", "-LndDirectory"…, and no cmdlet name.</summary>
    internal static void AssertNamesNoCmdletParameter(Exception error)
    {
        Assert.DoesNotMatch(new Regex(@"(^|[\s(,'""])-[A-Z][A-Za-z]+"), error.Message);
        Assert.DoesNotContain("VpnNode", error.Message);
    }

    private string PemCertificateFile()
    {
        var path = Path.Combine(_folder, "tls.cert");
        File.WriteAllText(path, new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", OptionsTests.SelfSignedCertificate())));
        return path;
    }

    [Fact]
    public void A_missing_macaroon_file_says_where_it_looked_and_why()
    {
        var missing = Path.Combine(_folder, "data", "chain", "bitcoin", "regtest", "admin.macaroon");

        var error = Assert.Throws<MacaroonException>(() => LndConnectionOptions.FromFiles("localhost:10009", PemCertificateFile(), missing));

        Assert.Equal(MacaroonProblem.FileMissing, error.Reason);
        Assert.Equal(missing, error.Path);
        Assert.Equal($"No macaroon file at '{missing}'.", error.Message);
        AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public void A_missing_macaroon_in_an_lnd_directory_carries_the_path_lnd_would_use()
    {
        var error = Assert.Throws<MacaroonException>(() =>
        {
            PemCertificateFile();
            return LndDirectory.Resolve(_folder, "signet");
        });

        Assert.Equal(MacaroonProblem.FileMissing, error.Reason);
        Assert.Equal(LndDirectory.MacaroonPath(_folder, "signet"), error.Path);
        AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public void An_empty_macaroon_file_is_not_a_macaroon()
    {
        var empty = Path.Combine(_folder, "admin.macaroon");
        File.WriteAllBytes(empty, []);

        var error = Assert.Throws<MacaroonException>(() => MacaroonFile.Read(empty));

        Assert.Equal(MacaroonProblem.NotAMacaroon, error.Reason);
        Assert.Equal(empty, error.Path);
        AssertNamesNoCmdletParameter(error);
    }

    [SkippableFact]
    public void An_unreadable_macaroon_file_says_so()
    {
        // Root reads any file, whatever its mode: there is nothing to test as root or on Windows.
        Skip.If(OperatingSystem.IsWindows() || Environment.IsPrivilegedProcess, "needs a user that file modes apply to");
        var locked = Path.Combine(_folder, "admin.macaroon");
        File.WriteAllBytes(locked, Macaroon);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(locked, UnixFileMode.None);
        }

        var error = Assert.Throws<MacaroonException>(() => MacaroonFile.Read(locked));

        Assert.Equal(MacaroonProblem.Unreadable, error.Reason);
        Assert.Equal(locked, error.Path);
        AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public void An_lndconnect_uri_without_a_macaroon_says_the_macaroon_is_missing_from_the_uri()
    {
        var error = Assert.Throws<MacaroonException>(() => LndConnectUri.Parse("lndconnect://node:10009?cert=AAAA"));

        Assert.Equal(MacaroonProblem.MissingFromUri, error.Reason);
        Assert.Null(error.Path);
        AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public void A_missing_tls_cert_is_a_missing_file_that_says_which()
    {
        var missing = Path.Combine(_folder, "tls.cert");
        var macaroon = Path.Combine(_folder, "admin.macaroon");
        File.WriteAllBytes(macaroon, Macaroon);

        var error = Assert.Throws<TlsCertificateNotFoundException>(() => LndConnectionOptions.FromFiles("localhost:10009", missing, macaroon));

        Assert.IsAssignableFrom<FileNotFoundException>(error);
        Assert.Equal(missing, error.Path);
        Assert.Equal(missing, error.FileName);
        Assert.Equal($"LND's TLS certificate was not found at '{missing}'.", error.Message);
        AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public void A_tls_cert_that_is_not_pem_is_not_a_certificate()
    {
        var notPem = Path.Combine(_folder, "tls.cert");
        File.WriteAllText(notPem, "not a certificate");

        var error = Assert.Throws<CertificateMismatchException>(() => TlsCertificateFile.ReadDer(notPem));

        Assert.Equal(CertificateProblem.NotACertificate, error.Reason);
        Assert.Equal(notPem, error.Path);
        Assert.Null(error.Address);
        AssertNamesNoCmdletParameter(error);
    }

    [Fact]
    public void The_check_catches_parameter_names()
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertNamesNoCmdletParameter(new MacaroonException(MacaroonProblem.FileMissing, "Give -MacaroonPath.")));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            AssertNamesNoCmdletParameter(new MacaroonException(MacaroonProblem.FileMissing, "(the lndconnect URI's cert parameter, or -TlsCertPath)")));
        AssertNamesNoCmdletParameter(new NodeUnreachableException("[::1]:10009", "Cannot reach LND at [::1]:10009: connection refused (-111)"));
    }
}
