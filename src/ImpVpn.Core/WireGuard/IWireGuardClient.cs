namespace ImpVpn.Core.WireGuard;

/// <summary>
/// One client over every way a WireGuard device can be driven (the wgctrl-go model): the caller names a device,
/// the client finds the backend that owns it. Buyer and seller code use only this.
/// </summary>
public interface IWireGuardClient
{
    Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken);

    /// <summary>The device with its peers and live counters; null when no such device exists.</summary>
    Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken);

    /// <summary>Applies only the changes in <paramref name="config"/>; peers not named are untouched.</summary>
    Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken);

    /// <summary>Creates the interface, sets its key, port, MTU and addresses, and brings it up.</summary>
    Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken);

    /// <summary>Deletes the interface (and stops its userspace process). Deleting a missing interface is not an error.</summary>
    Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken);

    Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken);

    Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken);

    Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken);

    Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken);
}
