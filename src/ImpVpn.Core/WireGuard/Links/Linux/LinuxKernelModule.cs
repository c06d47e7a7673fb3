namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>Whether this Linux kernel has WireGuard: the module is loaded (or built in) when /sys/module/wireguard
/// exists. Decides how links are made, and whether kernel devices can exist at all.</summary>
internal static class LinuxKernelModule
{
    public static bool IsLoaded() => Directory.Exists("/sys/module/wireguard");
}
