using ImpVpn.Core.WireGuard.Platform;

namespace ImpVpn.TestSupport;

/// <summary>Why a real-tunnel test cannot run here, or null when it can.</summary>
public static class Requirements
{
    public static string? MissingForRealTunnels()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces exist only on Linux";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root to create network namespaces and interfaces";
        }

        // nft: a seller closes its interface with nftables and refuses to start without it.
        foreach (var tool in new[] { "ip", "wireguard-go", "ping", "nft" })
        {
            if (!WireGuardPrerequisites.CommandExists(tool))
            {
                return $"{tool} is not installed (apt-get install iproute2 wireguard-go iputils-ping nftables)";
            }
        }

        return File.Exists("/dev/net/tun") ? null : "/dev/net/tun is missing";
    }
}
