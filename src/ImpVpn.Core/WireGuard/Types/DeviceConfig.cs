namespace ImpVpn.Core.WireGuard.Types;

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
