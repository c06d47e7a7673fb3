using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Bench;

internal static class RealTunnelRequirement
{
    private static readonly string[] Tools = ["ip", "wireguard-go"];

    /// <param name="moreTools">commands this benchmark needs besides ip and wireguard-go (iperf3, ping…).</param>
    public static string? Missing(params string[] moreTools)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return "needs root on Linux (network namespaces and WireGuard interfaces)";
        }

        var tool = Tools.Concat(moreTools).FirstOrDefault(t => !WireGuardPrerequisites.CommandExists(t));
        return tool is null ? null : $"{tool} is not installed";
    }
}
