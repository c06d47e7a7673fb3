using System.Net;
using ImpVpn.Core.WireGuard.Keys;

namespace ImpVpn.Core.WireGuard;

/// <summary>A WireGuard device's live state as read back from the kernel or wireguard-go. Holds no private key.</summary>
public sealed record WireGuardDevice(
    string Name,
    WireGuardBackendKind Backend,
    WireGuardPublicKey? PublicKey,
    int ListenPort,
    uint FirewallMark,
    IReadOnlyList<WireGuardPeer> Peers);

/// <summary>One peer of a device with its live counters.</summary>
public sealed record WireGuardPeer(
    WireGuardPublicKey PublicKey,
    IPEndPoint? Endpoint,
    IReadOnlyList<IpPrefix> AllowedIps,
    DateTimeOffset? LastHandshake,
    long ReceiveBytes,
    long TransmitBytes,
    TimeSpan PersistentKeepalive,
    bool HasPresharedKey);

public enum WireGuardBackendKind
{
    /// <summary>The Linux kernel module, driven with ip(8) and wg(8).</summary>
    LinuxKernel,

    /// <summary>wireguard-go (or another userspace implementation) through the cross-platform UAPI socket.</summary>
    Userspace,

    /// <summary>WireGuard for Windows' tunnel service.</summary>
    WindowsTunnelService,
}
