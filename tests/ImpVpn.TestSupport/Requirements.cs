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

        foreach (var tool in new[] { "ip", "wireguard-go", "ping" })
        {
            if (!WireGuardPrerequisites.CommandExists(tool))
            {
                return $"{tool} is not installed (apt-get install iproute2 wireguard-go iputils-ping)";
            }
        }

        return File.Exists("/dev/net/tun") ? null : "/dev/net/tun is missing";
    }
}
