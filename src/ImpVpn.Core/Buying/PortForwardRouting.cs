using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// A port-forward tunnel on the buyer's machine: connections from the internet arrive through the tunnel at the
/// buyer's tunnel address (the seller forwards its public port there, keeping the real source address), and their
/// replies must leave the same way. Only packets sent from the tunnel address are routed into the tunnel, by a rule
/// and a table of their own (<c>ip rule add from ADDRESS lookup TABLE</c>, <c>default dev INTERFACE table TABLE</c>);
/// the main table gets only the seller's tunnel address, as for a node-to-node tunnel. The machine's other traffic,
/// the node's own outgoing connections included, keeps its routes.
/// </summary>
/// <remarks>Nothing needs recording before the change: the table is a function of the buyer's tunnel address, which
/// the contract holds from accept on, so removal finds the rule from the contract alone.</remarks>
internal static class PortForwardRouting
{
    /// <summary>The routes the main table gets: the seller's tunnel address only.</summary>
    public static IReadOnlyList<IpPrefix> MainTableRoutes(BoughtContract contract)
    {
        var seller = IPAddress.Parse(contract.SellerTunnelAddress);
        return [new IpPrefix(seller, seller.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)];
    }

    /// <summary>The routing table of the tunnel whose buyer address is <paramref name="buyerTunnelAddress"/>: its
    /// IPv4 address as a number (unique on this machine, as the address is; a private-use address is far above the
    /// system's tables 0-255), or for IPv6 the low 31 bits of its address above 2^31.</summary>
    public static int TableFor(IPAddress buyerTunnelAddress)
    {
        ArgumentNullException.ThrowIfNull(buyerTunnelAddress);
        var bytes = buyerTunnelAddress.GetAddressBytes();
        var low = (uint)(bytes[^4] << 24 | bytes[^3] << 16 | bytes[^2] << 8 | bytes[^1]);
        // ip(8) reads the table as an unsigned 32-bit number; kept within int and above 255 either way.
        var table = buyerTunnelAddress.AddressFamily == AddressFamily.InterNetworkV6 ? (int)(low & 0x7FFFFFFF) | 0x40000000 : (int)(low & 0x7FFFFFFF);
        return table > 255 ? table : table + 0x10000;
    }

    public static bool Applies(BoughtContract contract) => contract.TunnelMode == TunnelMode.PortForward;

    /// <summary>Routes the tunnel address's packets into the tunnel.</summary>
    /// <exception cref="WireGuardException">This machine has no source routing ImpVpn can drive.</exception>
    public static async Task ApplyAsync(WireGuardHost wireGuard, BoughtContract contract, IProgressLog log, CancellationToken cancellationToken)
    {
        var routing = wireGuard.SourceRouting ?? throw new WireGuardException("A port-forward tunnel needs policy routing by source address, which ImpVpn drives on Linux only.");
        var address = IPAddress.Parse(contract.BuyerTunnelAddress);
        var table = TableFor(address);
        await routing.RouteFromAsync(contract.InterfaceName, address, table, cancellationToken).ConfigureAwait(false);
        log.Log(LogLevel.Verbose, $"{contract.InterfaceName}: packets from {address} take table {table} (default via {contract.InterfaceName}); other traffic keeps its routes.");
    }

    /// <summary>Takes the rule away again (the table's route goes with the interface); quiet when there is nothing.</summary>
    public static async Task RemoveAsync(WireGuardHost? wireGuard, BoughtContract contract, CancellationToken cancellationToken)
    {
        if (!Applies(contract) || wireGuard?.SourceRouting is not { } routing || !IPAddress.TryParse(contract.BuyerTunnelAddress, out var address))
        {
            return;
        }

        await routing.RemoveAsync(address, TableFor(address), cancellationToken).ConfigureAwait(false);
    }
}
