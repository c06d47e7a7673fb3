using System.Runtime.InteropServices;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Devices;
using ImpVpn.Core.WireGuard.Devices.Uapi;
using ImpVpn.Core.WireGuard.Devices.WgTool;
using ImpVpn.Core.WireGuard.Firewall;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Links.Windows;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Platform;

/// <summary>
/// The one place that decides which backends a machine uses. Linux: devices through wireguard-go's UAPI sockets and
/// the kernel module (wg), links through ip(8), made with the kernel module where the kernel has it and with
/// wireguard-go otherwise. Windows: devices through wg.exe, links as WireGuard for Windows tunnel services. Elsewhere
/// (macOS, BSDs) ImpVpn makes no interfaces: only config-only purchases work there. A seller's firewall is nftables
/// on Linux, and none elsewhere.
/// </summary>
public static class WireGuardHosts
{
    /// <summary>The WireGuard host of this machine. On Linux, <paramref name="context"/> may name a network
    /// namespace, and <paramref name="preferKernel"/> chooses how new links are made (default: the kernel module
    /// when loaded).</summary>
    /// <exception cref="WireGuardPlatformNotSupportedException">Not Linux or Windows.</exception>
    public static WireGuardHost ForThisMachine(LinuxNetworkContext? context = null, bool? preferKernel = null)
    {
        var runner = ProcessCommandRunner.Instance;
        if (OperatingSystem.IsWindows())
        {
            return ForWindows(runner, WireGuardForWindows.DefaultConfigFolder, WireGuardForWindows.DefaultWireGuardExe, WireGuardForWindows.DefaultWgExe);
        }

        if (OperatingSystem.IsLinux())
        {
            var sockets = new UnixSocketUapiTransport(UnixSocketUapiTransport.DefaultFolder);
            return ForLinux(runner, context ?? LinuxNetworkContext.Current, sockets, preferKernel ?? LinuxKernelModule.IsLoaded(), LinuxKernelModule.IsLoaded);
        }

        throw new WireGuardPlatformNotSupportedException(OperatingSystemName());
    }

    /// <summary>The Linux composition. The UAPI backend is asked first: wg(8) lists wireguard-go's devices too.</summary>
    /// <param name="kernelHasWireGuard">Asked on every call: `ip link add … type wireguard` loads the module on demand.</param>
    internal static WireGuardHost ForLinux(
        ICommandRunner runner, LinuxNetworkContext context, IUapiTransport sockets, bool createWithKernel, Func<bool> kernelHasWireGuard)
    {
        var userspace = new UapiDevices(sockets);
        var kernel = new WgToolDevices(new NamespacedCommandRunner(runner, context), "wg", WireGuardBackendKind.LinuxKernel, kernelHasWireGuard);
        var devices = new WireGuardDeviceRouter([userspace, kernel]);
        var ip = new LinuxLinkCommands(runner, context);
        ILinkCreator creator = createWithKernel ? new KernelModuleLinkCreator(ip) : new WireGuardGoLinkCreator(ip, userspace);
        return new WireGuardHost(devices, new LinuxLinks(ip, creator, devices))
        {
            Firewall = new NftablesFirewall(runner, context, NftablesFirewall.NftInstalled),
            FullTunnel = new LinuxFullTunnel(runner, context, new LinuxTunnelDns(runner, context), NftablesFirewall.NftInstalled),
            SourceRouting = new LinuxSourceRouting(runner, context),
        };
    }

    /// <summary>The Windows composition: WireGuardNT serves no UAPI pipe, so its tunnels are read and changed with
    /// the wg.exe it ships, through the same code that drives the Linux kernel module. No seller firewall: ImpVpn
    /// drives none on Windows, so a seller there must be told the host is guarded otherwise.</summary>
    internal static WireGuardHost ForWindows(
        ICommandRunner runner, string configFolder, string wireGuardExe, string wgExe, TimeSpan? serviceStartWait = null)
    {
        var tunnels = new WgToolDevices(runner, wgExe, WireGuardBackendKind.WindowsTunnelService, () => true);
        var devices = new WireGuardDeviceRouter([tunnels]);
        return new WireGuardHost(devices, new WindowsTunnelLinks(runner, devices, configFolder, wireGuardExe, wgExe, serviceStartWait))
        {
            FullTunnel = new WindowsFullTunnel(),
        };
    }

    internal static string OperatingSystemName() =>
        OperatingSystem.IsMacOS() ? "macOS" : RuntimeInformation.OSDescription;
}
