namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// Link management: the network interface a WireGuard device lives on, with its addresses, MTU and routes. One
/// implementation per operating system, because each makes interfaces its own way (ip(8) and the kernel module or
/// wireguard-go on Linux, tunnel services on Windows).
/// </summary>
public interface IWireGuardLinks
{
    /// <summary>Creates the interface, sets its key, port, MTU and addresses, and brings it up. An interface that
    /// fails half-way is deleted, so the next attempt does not collide with it.</summary>
    Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken);

    /// <summary>Deletes the interface and stops its userspace process. Deleting a missing interface is not an error.</summary>
    Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken);

    Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken);

    Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken);

    Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken);

    Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken);

    /// <summary>Sends one ICMP echo request out of the interface to <paramref name="address"/> and says whether an
    /// answer came within a second: a packet through the tunnel and back, which a handshake alone does not prove.</summary>
    Task<bool> EchoAsync(string name, System.Net.IPAddress address, CancellationToken cancellationToken);
}
