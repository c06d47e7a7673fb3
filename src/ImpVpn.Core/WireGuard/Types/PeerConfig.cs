using System.Net;

namespace ImpVpn.Core.WireGuard.Types;

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
