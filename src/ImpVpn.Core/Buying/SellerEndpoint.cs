using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The seller's WireGuard endpoint, as its activation names it: an IP address and port, or a DNS host name and port.
/// A host name must follow the strict grammar of RFC 1123 (letters, digits and inner hyphens, dot-separated labels,
/// at most 253 characters, not all digits at the end) and is resolved at once; every address it resolves to must be
/// off this machine and unicast, and the first is the endpoint kept. So the store, wg(8)'s arguments and wg-quick
/// files only ever hold an IP address and a port, never text a seller chose.
/// </summary>
public static partial class SellerEndpoint
{
    /// <summary>The endpoint to use, refused (<see cref="PurchaseException"/>) unless it is one of the two forms and
    /// points off this machine.</summary>
    public static IPEndPoint Require(string text, ILocalNetwork network)
    {
        if (text.Length > 260 || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || !text.Contains(':'))
        {
            throw NotAnEndpoint(text);
        }

        var local = network.Addresses();
        if (Literal().IsMatch(text) && IPEndPoint.TryParse(text, out var literal))
        {
            return Checked(literal, local, text);
        }

        var match = HostPort().Match(text);
        if (!match.Success || !int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            throw NotAnEndpoint(text);
        }

        var host = match.Groups["host"].Value.ToLowerInvariant();
        var addresses = network.Resolve(host);
        if (addresses.Count == 0)
        {
            throw SellerAnswerCheck.Refused($"its endpoint's host name {host} resolves to no address", paid: true);
        }

        // Every address counts, not only the first: a name that may also point at this machine is not a seller's.
        foreach (var address in addresses)
        {
            Checked(new IPEndPoint(address, port), local, host);
        }

        return new IPEndPoint(addresses[0], port);
    }

    private static IPEndPoint Checked(IPEndPoint endpoint, IReadOnlyCollection<IPAddress> local, string given)
    {
        if (endpoint.Port == 0)
        {
            throw NotAnEndpoint(given);
        }

        if (!SellerAnswerCheck.IsUnicastOffMachine(endpoint.Address))
        {
            throw SellerAnswerCheck.Refused($"its endpoint, {given} ({endpoint}), is a loopback, link-local, multicast or unspecified address", paid: true);
        }

        if (local.Contains(endpoint.Address))
        {
            throw SellerAnswerCheck.Refused($"its endpoint, {given} ({endpoint}), is one of this machine's addresses", paid: true);
        }

        return endpoint;
    }

    private static PurchaseException NotAnEndpoint(string text) =>
        SellerAnswerCheck.Refused($"its endpoint, {SellerAnswerCheck.Printable(text)}, is not an IP address or host name with a port", paid: true);

    // Dotted-quad IPv4, or bracketed IPv6, and a port: no shorthand such as "10:80" that parsers read as 0.0.0.10.
    [GeneratedRegex(@"^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}$", RegexOptions.CultureInvariant)]
    private static partial Regex Literal();

    // RFC 1123 labels; the last label is not all digits, so "10.0.0:51820" is no host name.
    [GeneratedRegex(@"^(?<host>(?=.{1,253}:)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?):(?<port>[0-9]{1,5})$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPort();
}
