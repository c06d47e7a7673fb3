using System.Net;
using System.Net.Sockets;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A peer endpoint as WireGuard writes it in the UAPI and on wg's command line: "10.0.0.2:51820", and IPv6
/// in brackets ("[fd00::2]:51820") so the port cannot be read as part of the address.</summary>
internal static class EndpointText
{
    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endpoint.Address}]:{endpoint.Port}"
            : $"{endpoint.Address}:{endpoint.Port}";
}
