using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ImpVpn.Core.Protocol;

/// <summary>
/// How a seller's WireGuard endpoint is written, for both roles: an IP address and port (dotted-quad IPv4 or
/// bracketed IPv6), or a DNS host name and port in the strict grammar of RFC 1123 (letters, digits and inner
/// hyphens, dot-separated labels, at most 253 characters, the last label not all digits). Also which addresses a
/// tunnel may use at all (unicast, not loopback, link-local or unspecified). The one grammar: the seller checks its
/// own <c>-Endpoint</c> with it and the buyer what a seller's activation says.
/// </summary>
public static partial class SellerEndpointText
{
    /// <summary>The IP address and port <paramref name="text"/> is written as; false for anything else (a host name,
    /// or shorthand such as "10:80" that parsers read as 0.0.0.10).</summary>
    public static bool TryParseLiteral(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        return Plain(text) && Literal().IsMatch(text) && IPEndPoint.TryParse(text, out endpoint!);
    }

    /// <summary>The RFC 1123 host name (lower case) and port 1–65535 <paramref name="text"/> is written as; false for
    /// anything else.</summary>
    public static bool TryParseHostName(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var match = HostPort().Match(text);
        if (!Plain(text) || !match.Success || !int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        host = match.Groups["host"].Value.ToLowerInvariant();
        return true;
    }

    // Regex's $ also matches before a final newline: nothing but the endpoint's own characters, and not too many.
    private static bool Plain(string text) => text.Length <= 260 && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>Whether <paramref name="address"/> can be another machine's unicast address: not loopback, link-local,
    /// multicast, broadcast, site-local (IPv6) or unspecified.</summary>
    public static bool IsUnicastOffMachine(IPAddress address) =>
        !IPAddress.IsLoopback(address)
        && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.Broadcast)
        && !address.IsIPv6LinkLocal && !address.IsIPv6Multicast && !address.IsIPv6SiteLocal
        && !(address.AddressFamily == AddressFamily.InterNetwork && IsIPv4LinkLocalOrMulticast(address.GetAddressBytes()));

    private static bool IsIPv4LinkLocalOrMulticast(byte[] bytes) =>
        (bytes[0] == 169 && bytes[1] == 254) || bytes[0] is >= 224 and <= 239 || bytes[0] == 0;

    // Dotted-quad IPv4, or bracketed IPv6, and a port: no shorthand such as "10:80" that parsers read as 0.0.0.10.
    [GeneratedRegex(@"^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}$", RegexOptions.CultureInvariant)]
    private static partial Regex Literal();

    // RFC 1123 labels; the last label is not all digits, so "10.0.0:51820" is no host name.
    [GeneratedRegex(@"^(?<host>(?=.{1,253}:)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?):(?<port>[0-9]{1,5})$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPort();
}
