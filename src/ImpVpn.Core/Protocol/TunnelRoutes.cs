using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Protocol;

/// <summary>
/// The allowed IPs a tunnel of each mode carries, as the seller's activate names them and the buyer requires them:
/// written once so the two sides cannot drift. A node-to-node tunnel carries the seller's tunnel address only. An exit
/// and a port-forward tunnel carry every address of the family, since packets to and from the whole internet cross
/// them; that is WireGuard's cryptokey routing only. What the buyer's machine routes into the tunnel is the buyer's
/// choice (a full tunnel for an exit, the node's own port for a port forward), never implied by these prefixes.
/// </summary>
public static class TunnelRoutes
{
    public static IReadOnlyList<string> AllowedIpsFor(TunnelMode mode, IPAddress sellerTunnelAddress)
    {
        ArgumentNullException.ThrowIfNull(sellerTunnelAddress);
        var v6 = sellerTunnelAddress.AddressFamily == AddressFamily.InterNetworkV6;
        return mode switch
        {
            TunnelMode.NodeToNode => [new IpPrefix(sellerTunnelAddress, v6 ? 128 : 32).ToString()],
            TunnelMode.Exit or TunnelMode.PortForward => [v6 ? "::/0" : "0.0.0.0/0"],
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a tunnel mode."),
        };
    }
}
