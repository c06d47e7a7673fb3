using System.Net;
using ImpVpn.Core.WireGuard.Keys;

namespace ImpVpn.Core.WireGuard;

/// <summary>
/// A change to a device. Every property left null is left as it is on the device: a change names only what
/// changes, so adding one peer to a device with thousands costs the same as adding it to an empty one.
/// </summary>
public sealed record DeviceConfig
{
    public WireGuardPrivateKey? PrivateKey { get; init; }

    public int? ListenPort { get; init; }

    /// <summary>SO_MARK for the device's packets; 0 turns it off. A u32 in the kernel and the UAPI.</summary>
    public uint? FirewallMark { get; init; }

    /// <summary>Remove every peer not listed in <see cref="Peers"/>. Off by default: changes are incremental.</summary>
    public bool ReplacePeers { get; init; }

    public IReadOnlyList<PeerConfig> Peers { get; init; } = [];
}

/// <summary>A change to one peer, identified by its public key.</summary>
public sealed record PeerConfig(WireGuardPublicKey PublicKey)
{
    /// <summary>Remove this peer; everything else is ignored.</summary>
    public bool Remove { get; init; }

    /// <summary>Only change the peer if it exists already; never add it.</summary>
    public bool UpdateOnly { get; init; }

    public IPEndPoint? Endpoint { get; init; }

    public TimeSpan? PersistentKeepalive { get; init; }

    /// <summary>Replace the peer's allowed IPs with <see cref="AllowedIps"/> instead of adding to them.</summary>
    public bool ReplaceAllowedIps { get; init; }

    public IReadOnlyList<IpPrefix> AllowedIps { get; init; } = [];

    /// <summary>Optional pre-shared key (32 bytes). A secret: never logged.</summary>
    public byte[]? PresharedKey { get; init; }

    public static PeerConfig Removal(WireGuardPublicKey publicKey) => new(publicKey) { Remove = true };
}

/// <summary>What a new interface starts with.</summary>
public sealed record InterfaceOptions
{
    public int Mtu { get; init; } = 1420;

    public IReadOnlyList<IpPrefix> Addresses { get; init; } = [];

    public WireGuardPrivateKey? PrivateKey { get; init; }

    public int? ListenPort { get; init; }
}
