namespace ImpVpn.Core.WireGuard.Types;

/// <summary>What a new interface starts with.</summary>
public sealed record InterfaceOptions
{
    public int Mtu { get; init; } = 1420;

    public IReadOnlyList<IpPrefix> Addresses { get; init; } = [];

    public WireGuardPrivateKey? PrivateKey { get; init; }

    public int? ListenPort { get; init; }
}
