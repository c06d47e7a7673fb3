namespace ImpVpn.Core.WireGuard.Types;

/// <summary>What buyer and seller are given to run tunnels on a machine: its devices and its links, and the firewall
/// a seller closes its interface with (null where the machine has none ImpVpn can drive). Built for this machine by
/// <c>WireGuardHosts.ForThisMachine</c>; tests give fakes.</summary>
public sealed record WireGuardHost(IWireGuardDevices Devices, IWireGuardLinks Links)
{
    public ISellerFirewall? Firewall { get; init; }

    /// <summary>What a buyer of an exit uses to send all traffic through its tunnel; null where ImpVpn cannot.</summary>
    public IFullTunnelRouting? FullTunnel { get; init; }
    /// <summary>Policy routing by source address (a port-forward buyer's replies); null where the machine has none.</summary>
    public ISourceRouting? SourceRouting { get; init; }
}
