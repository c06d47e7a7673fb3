using System.Net.Sockets;

namespace ImpVpn.Core.WireGuard.Firewall;

/// <summary>
/// The sysctl an exit needs: without forwarding on, the kernel drops every buyer packet bound for the internet
/// before any rule sees it. The setting is per network namespace, so on a host (not a namespace) it is host-wide:
/// every interface forwards from then on, and the seller's table, not the setting, is what keeps buyers to the
/// egress interface. It is never turned off again, since something else on the host may have wanted it on. IPv6
/// forwarding also stops router advertisements counting where accept_ra is 1 (docs/wireguard.md, "Exit rules").
/// </summary>
internal static class IpForwarding
{
    public const string Sysctl = "sysctl";

    public static string[] Arguments(AddressFamily family) =>
        ["-qw", family == AddressFamily.InterNetworkV6 ? "net.ipv6.conf.all.forwarding=1" : "net.ipv4.ip_forward=1"];
}
