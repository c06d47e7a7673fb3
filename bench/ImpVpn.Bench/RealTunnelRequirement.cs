using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Bench;

internal static class RealTunnelRequirement
{
    private static readonly string[] Tools = ["ip", "wireguard-go"];

    public static string? Missing()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return "needs root on Linux (network namespaces and WireGuard interfaces)";
        }

        var tool = Tools.FirstOrDefault(t => !WireGuardPrerequisites.CommandExists(t));
        return tool is null ? null : $"{tool} is not installed";
    }
}
