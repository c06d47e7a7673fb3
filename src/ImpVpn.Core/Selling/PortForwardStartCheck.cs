using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Before a seller starts: selling port forwards needs a public address and a port range
/// (<see cref="SellerOptions.PortForward"/>), and ImpVpn's own firewall, which does the forwarding (DNAT) and gates it
/// on each buyer's paid admission. Without them every port-forward buyer would pay for a port that never opens.
/// </summary>
internal static class PortForwardStartCheck
{
    /// <exception cref="PortForwardConfigurationException">Port forwards are sold and cannot be delivered.</exception>
    public static void Require(SellerOptions options, WireGuardHost? wireGuard)
    {
        var forward = options.PortForward;
        if (forward is not null)
        {
            PortForwardOptions.ValidPublicAddress(forward.PublicAddress);
            if (forward.FirstPort is < 1 or > 65535 || forward.LastPort is < 1 or > 65535 || forward.FirstPort > forward.LastPort)
            {
                throw new PortForwardConfigurationException($"The forwarded port range {forward.FirstPort}-{forward.LastPort} is not a range of TCP ports (1-65535, first not above last).");
            }

            if (forward.TargetPort is < 1 or > 65535)
            {
                throw new PortForwardConfigurationException($"The forwarded ports' target {forward.TargetPort} is not a TCP port (1-65535).");
            }

            if (options.ListenPort >= forward.FirstPort && options.ListenPort <= forward.LastPort)
            {
                throw new PortForwardConfigurationException($"The forwarded port range {forward.FirstPort}-{forward.LastPort} holds the WireGuard listen port {options.ListenPort}.");
            }
        }

        if (!options.SoldModes.Contains(TunnelMode.PortForward))
        {
            return;
        }

        if (forward is null)
        {
            throw new PortForwardConfigurationException("Port forwards are sold but no public address and port range are set to forward from.");
        }

        if (options.ConfigOnly || wireGuard is null)
        {
            throw new PortForwardConfigurationException("Port forwards cannot be sold by a seller that only writes configuration: the forwarding is done by ImpVpn's firewall on its own interface.");
        }

        if (!options.ManageFirewall)
        {
            throw new PortForwardConfigurationException("Port forwards cannot be sold with the firewall left to others: the forwarding (DNAT), and its end at each buyer's expiry, is done by ImpVpn's firewall.");
        }
    }
}
