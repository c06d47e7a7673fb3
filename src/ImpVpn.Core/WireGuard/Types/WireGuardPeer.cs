using System.Net;

namespace ImpVpn.Core.WireGuard.Types;

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
