using System.Globalization;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Which public port a port-forward contract gets: the lowest of the range that no live contract (awaiting payment
/// or active) holds. The reservation is the contract's own <see cref="SoldContract.ForwardedEndpoint"/>, written
/// with it at accept: it survives a restart with the contract file, no two live contracts can hold one port (the
/// accept that chooses runs under the contracts' lock and reads every live holder), and a port is free again as
/// soon as its contract ends (expired, cancelled, refunded: no longer live). Nothing else is kept, so nothing can
/// drift from the contracts.
/// </summary>
/// <remarks>Cost: one pass over the live contracts per port-forward accept (bounded by the range, at most 65535
/// holders); node-to-node and exit accepts never pay it.</remarks>
internal static class ForwardedPorts
{
    /// <summary>The port <paramref name="contract"/> holds, if it is a live port-forward contract.</summary>
    public static int? HeldBy(SoldContract contract) =>
        contract is { HoldsAddress: true, ForwardedEndpoint: { } endpoint } ? PortOf(endpoint) : null;

    /// <summary>The port of a host:port this seller wrote.</summary>
    public static int? PortOf(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    /// <summary>The lowest free port of <paramref name="options"/>'s range given the live contracts, as the public
    /// host:port to record in the new contract. Called under the contracts' lock.</summary>
    /// <exception cref="ProtocolException">Every port is held (capacity, 1006: another buyer's contract ending frees one).</exception>
    public static string Reserve(PortForwardOptions options, IEnumerable<SoldContract> live)
    {
        var held = live.Select(HeldBy).OfType<int>().ToHashSet();
        for (var port = options.FirstPort; port <= options.LastPort; port++)
        {
            if (!held.Contains(port))
            {
                return options.EndpointFor(port);
            }
        }

        throw new ProtocolException(ProtocolErrorCode.CapacityReached, "This seller has no public port free for a port forward; try later.");
    }
}
