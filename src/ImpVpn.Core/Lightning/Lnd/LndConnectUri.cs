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
            throw new MacaroonException("The lndconnect URI has no macaroon parameter.");
        }

        return new LndConnectionOptions(
            host,
            port,
            cert is null ? null : DecodeBase64Url(cert, "cert"),
            DecodeBase64Url(macaroon, "macaroon"),
            network);
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
        $"lndconnect://{host}:{port}?" + (certificateDer is null ? string.Empty : $"cert={EncodeBase64Url(certificateDer)}&") +
        $"macaroon={EncodeBase64Url(macaroon)}";
}
