namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A WireGuard device's live state as read back from the kernel or wireguard-go. Holds no private key.</summary>
public sealed record WireGuardDevice(
    string Name,
    WireGuardBackendKind Backend,
    WireGuardPublicKey? PublicKey,
    int ListenPort,
    uint FirewallMark,
    IReadOnlyList<WireGuardPeer> Peers);
