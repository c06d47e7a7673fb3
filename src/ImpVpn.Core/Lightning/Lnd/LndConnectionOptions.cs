namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>
/// Where an LND node is and how to prove we may use it. Build one with <see cref="FromFiles"/>,
/// <see cref="LndDirectory.Resolve"/> or <see cref="LndConnectUri.Parse"/>.
/// The macaroon is a bearer credential: it is kept here but never shown by <see cref="ToString"/>.
/// </summary>
public sealed class LndConnectionOptions
{
    public LndConnectionOptions(string host, int port, byte[]? pinnedCertificate, byte[] macaroon, string? network = null)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("The LND host is empty.", nameof(host));
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The LND port must be 1-65535.");
        }

        if (macaroon.Length == 0)
        {
            throw new MacaroonException(MacaroonProblem.NotAMacaroon, "The macaroon is empty.");
        }

        Host = host;
        Port = port;
        PinnedCertificate = pinnedCertificate;
        Macaroon = macaroon;
        Network = network;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>DER bytes of the node's tls.cert. Null only for lndconnect URIs without a cert (a CA-signed node).</summary>
    public byte[]? PinnedCertificate { get; }

    /// <summary>The macaroon's raw bytes. Secret.</summary>
    internal byte[] Macaroon { get; }

    /// <summary>The network the caller expects (mainnet, testnet, signet, regtest), when known.</summary>
    public string? Network { get; }

    /// <summary>The tls.cert file the pinned certificate was read from; null when it came from elsewhere (lndconnect).</summary>
    public string? TlsCertPath { get; private init; }

    /// <summary>The macaroon file the macaroon was read from; null when it came from elsewhere (lndconnect).</summary>
    public string? MacaroonPath { get; private init; }

    /// <summary>host:port, with an IPv6 host in brackets.</summary>
    public string RpcAddress => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public Uri Address => new($"https://{RpcAddress}");

    /// <summary>From a host:port, a tls.cert (PEM) and a macaroon file, the three things LND hands out.</summary>
    public static LndConnectionOptions FromFiles(string hostPort, string tlsCertPath, string macaroonPath, string? network = null)
    {
        var (host, port) = ParseHostPort(hostPort);
        return new LndConnectionOptions(host, port, TlsCertificateFile.ReadDer(tlsCertPath), MacaroonFile.Read(macaroonPath), network)
        {
            TlsCertPath = tlsCertPath,
            MacaroonPath = macaroonPath,
        };
    }

    /// <summary>The same node with tls.cert and the macaroon read again from their files, when either changed since
    /// (LND regenerates tls.cert with tlsautorefresh or when it is deleted; an operator may bake a new macaroon); null
    /// when they came from no file, or are unchanged, or cannot be read now (the caller keeps what it has).</summary>
    internal LndConnectionOptions? Reread()
    {
        if (TlsCertPath is null || MacaroonPath is null)
        {
            return null;
        }

        byte[] certificate;
        byte[] macaroon;
        try
        {
            certificate = TlsCertificateFile.ReadDer(TlsCertPath);
            macaroon = MacaroonFile.Read(MacaroonPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LightningException)
        {
            // Half-written by the node right now, or gone: the failure the caller already has says more.
            return null;
        }

        if (PinnedCertificate is not null && certificate.AsSpan().SequenceEqual(PinnedCertificate) && macaroon.AsSpan().SequenceEqual(Macaroon))
        {
            return null;
        }

        return new LndConnectionOptions(Host, Port, certificate, macaroon, Network) { TlsCertPath = TlsCertPath, MacaroonPath = MacaroonPath };
    }

    public static (string Host, int Port) ParseHostPort(string hostPort, int defaultPort = 10009)
    {
        if (string.IsNullOrWhiteSpace(hostPort))
        {
            throw new FormatException("The LND address is empty; expected host:port such as localhost:10009.");
        }

        var text = hostPort.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                throw new FormatException($"'{hostPort}' is not host:port.");
            }

            var host6 = text[1..close];
            var rest = text[(close + 1)..];
            return (host6, rest.StartsWith(':') ? ParsePort(rest[1..], hostPort) : defaultPort);
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return (text, defaultPort);
        }

        if (text.IndexOf(':') != colon)
        {
            // A bare IPv6 address without brackets: no port given.
            return (text, defaultPort);
        }

        return (text[..colon], ParsePort(text[(colon + 1)..], hostPort));
    }

    private static int ParsePort(string text, string whole) =>
        int.TryParse(text, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new FormatException($"'{whole}' does not end in a port number (1-65535).");

    public override string ToString() =>
        $"LND at {RpcAddress} ({(PinnedCertificate is null ? "system CA" : "pinned tls.cert")}, macaroon {Macaroon.Length} bytes)";
}
