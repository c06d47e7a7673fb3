using System.Globalization;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// A seller's port forwarding (issue 13, "hybrid node"): each port-forward contract gets one TCP port of
/// <see cref="FirstPort"/>..<see cref="LastPort"/> on <see cref="PublicAddress"/>, forwarded (DNAT) to the buyer's
/// tunnel address on <see cref="TargetPort"/> (the Lightning p2p port), so a node behind NAT or Tor is reachable at
/// <c>PublicAddress:port</c>. The buyer's node announces that host:port (LND's <c>externalhosts</c>).
/// </summary>
public sealed record PortForwardOptions
{
    /// <summary>The host buyers' nodes announce: an IP address or a DNS name (RFC 1123) that reaches this host, the
    /// same grammar as <see cref="SellerOptions.Endpoint"/> without the port.</summary>
    public required string PublicAddress { get; init; }

    /// <summary>The first public TCP port handed out.</summary>
    public required int FirstPort { get; init; }

    /// <summary>The last public TCP port handed out (inclusive): the range is how many port-forward contracts can be
    /// live at once.</summary>
    public required int LastPort { get; init; }

    /// <summary>The port on the buyer's tunnel address each public port leads to: LND's p2p port.</summary>
    public int TargetPort { get; init; } = 9735;

    /// <summary>How long the seller's connect-back (before it settles a claim) may take to connect.</summary>
    public TimeSpan ConnectBackTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many ports the range holds.</summary>
    public int Count => LastPort - FirstPort + 1;

    /// <summary>The public host:port of <paramref name="port"/>, as activate names it (IPv6 in brackets).</summary>
    public string EndpointFor(int port)
    {
        var host = PublicAddress.Contains(':', StringComparison.Ordinal) ? $"[{PublicAddress}]" : PublicAddress;
        return string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
    }

    /// <summary>The options a command line or configuration file gives: none when neither value is given; the public
    /// address defaults to the host of the seller's WireGuard <paramref name="endpoint"/> (the host buyers already reach).</summary>
    /// <exception cref="ArgumentException">A public address without a port range, or a value that is not one.</exception>
    public static PortForwardOptions? FromSettings(string? publicAddress, string? ports, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (string.IsNullOrEmpty(ports))
        {
            return string.IsNullOrEmpty(publicAddress)
                ? null
                : throw new ArgumentException($"A public address for forwarded ports ('{publicAddress}') needs a port range to forward, e.g. 40000-40999.", nameof(ports));
        }

        var (first, last) = ParseRange(ports);
        var host = string.IsNullOrEmpty(publicAddress) ? endpoint[..endpoint.LastIndexOf(':')].Trim('[', ']') : publicAddress;
        return new PortForwardOptions { PublicAddress = ValidPublicAddress(host), FirstPort = first, LastPort = last };
    }

    /// <summary>Reads a range written "40000-40999" (or one port, "40000").</summary>
    /// <exception cref="ArgumentException">It is not one, or not within 1-65535, or its first port is above its last.</exception>
    public static (int First, int Last) ParseRange(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            && first is >= 1 and <= 65535 && last is >= 1 and <= 65535 && first <= last)
        {
            return (first, last);
        }

        throw new ArgumentException($"'{text}' is not a port range: write first-last within 1-65535, e.g. 40000-40999.", nameof(text));
    }

    /// <summary>The public address as buyers will use it: an IP literal buyers accept (not loopback, link-local,
    /// multicast or unspecified) or an RFC 1123 host name (not a localhost name).</summary>
    /// <exception cref="ArgumentException">It is neither.</exception>
    public static string ValidPublicAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Through the endpoint grammar, with a dummy port: dotted quads or colon notation only, no shorthand.
        var probe = text.Contains(':', StringComparison.Ordinal) ? $"[{text}]:1" : text + ":1";
        if (SellerEndpointText.TryParseLiteral(probe, out var literal))
        {
            return SellerEndpointText.IsUnicastOffMachine(literal.Address)
                ? literal.Address.ToString()
                : throw new ArgumentException($"'{text}' cannot be a public address for forwarded ports: it is a loopback, link-local, multicast or unspecified address.", nameof(text));
        }

        // The host-name grammar reads host:port; a dummy port lets it judge the host alone.
        if (!text.All(c => char.IsAsciiDigit(c) || c == '.') && SellerEndpointText.TryParseHostName(text + ":1", out var host, out _) && host != "localhost" && !host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return host;
        }

        throw new ArgumentException($"'{text}' cannot be a public address for forwarded ports: give this host's public IP address or DNS name, e.g. 203.0.113.5 or node.example.net.", nameof(text));
    }
}
