namespace ImpVpn.Core.WireGuard.Types;

/// <summary>Which implementation drives a device.</summary>
public enum WireGuardBackendKind
{
    /// <summary>The Linux kernel module, driven with ip(8) and wg(8).</summary>
    LinuxKernel,

    /// <summary>wireguard-go (or another userspace implementation) through the cross-platform UAPI socket.</summary>
    Userspace,

    /// <summary>WireGuard for Windows' tunnel service.</summary>
    WindowsTunnelService,
}
