using System.Net;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The seller's WireGuard endpoint, as its activation names it: an IP address and port, or a DNS host name and port.
/// A host name must follow the strict grammar of RFC 1123 (letters, digits and inner hyphens, dot-separated labels,
/// at most 253 characters, not all digits at the end) and is resolved at once; every address it resolves to must be
/// off this machine and unicast, and the first is the endpoint kept. So the store, wg(8)'s arguments and wg-quick
/// files only ever hold an IP address and a port, never text a seller chose. The grammar is
/// <see cref="SellerEndpointText"/>'s, the one the seller checks its own endpoint with.
/// </summary>
public static class SellerEndpoint
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
        if (SellerEndpointText.TryParseLiteral(text, out var literal))
        {
            return Checked(literal, local, text);
        }

        if (!SellerEndpointText.TryParseHostName(text, out var host, out var port))
        {
            throw NotAnEndpoint(text);
        }

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

        if (!SellerEndpointText.IsUnicastOffMachine(endpoint.Address))
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
}
