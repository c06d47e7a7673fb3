namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>
/// lndconnect://host:port?cert=&lt;base64url DER&gt;&amp;macaroon=&lt;base64url&gt; — both unpadded base64url;
/// cert may be absent when the node's certificate is signed by a public CA.
/// Errors never repeat the URI: it carries the macaroon.
/// </summary>
public static class LndConnectUri
{
    public static LndConnectionOptions Parse(string uri, string? network = null)
    {
        if (string.IsNullOrWhiteSpace(uri) || !uri.StartsWith("lndconnect://", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("An lndconnect URI starts with lndconnect://host:port?macaroon=…");
        }

        var rest = uri["lndconnect://".Length..];
        var question = rest.IndexOf('?');
        var authority = question < 0 ? rest : rest[..question];
        var query = question < 0 ? string.Empty : rest[(question + 1)..];
        var (host, port) = LndConnectionOptions.ParseHostPort(authority.TrimEnd('/'));

        string? cert = null, macaroon = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key)
            {
                case "cert":
                    cert = value;
                    break;
                case "macaroon":
                    macaroon = value;
                    break;
            }
        }

        if (string.IsNullOrEmpty(macaroon))
        {
            throw new MacaroonException(MacaroonProblem.MissingFromUri, "The lndconnect URI has no macaroon parameter.");
        }

        return new LndConnectionOptions(
            host,
            port,
            cert is null ? null : DecodeCertificate(cert),
            DecodeBase64Url(macaroon, "macaroon"),
            network);
    }

    /// <summary>An empty or undecodable cert would be pinned and refuse every handshake as a "mismatch": refuse it
    /// here, where the cause is plain.</summary>
    private static byte[] DecodeCertificate(string text)
    {
        const string notACertificate = "The lndconnect URI's cert parameter is not a DER-encoded certificate.";
        var der = DecodeBase64Url(text, "cert");
        if (der.Length == 0)
        {
            throw new FormatException(notACertificate);
        }

        try
        {
            using var certificate = new System.Security.Cryptography.X509Certificates.X509Certificate2(der);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new FormatException(notACertificate);
        }

        return der;
    }

    internal static byte[] DecodeBase64Url(string text, string what)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException($"The lndconnect URI's {what} parameter is not base64url.");
        }
    }

    /// <summary>Unpadded base64url, as lndconnect writes it.</summary>
    public static string EncodeBase64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Format(string host, int port, byte[]? certificateDer, byte[] macaroon) =>
        $"lndconnect://{(host.Contains(':') ? $"[{host}]" : host)}:{port}?" + (certificateDer is null ? string.Empty : $"cert={EncodeBase64Url(certificateDer)}&") +
        $"macaroon={EncodeBase64Url(macaroon)}";
}
