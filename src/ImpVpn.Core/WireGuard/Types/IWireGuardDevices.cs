namespace ImpVpn.Core.WireGuard.Types;

/// <summary>
/// Device configuration, as wgctrl-go's Client: read and change the keys, port and peers of WireGuard devices that
/// exist already, whichever implementation serves them (the kernel through wg(8), wireguard-go through its UAPI).
/// Creating and removing the interfaces themselves is <see cref="IWireGuardLinks"/>' job, as it is not wgctrl-go's.
/// </summary>
public interface IWireGuardDevices
{
    Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken);

    /// <summary>The device with its peers and live counters; null when no such device exists.</summary>
    Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken);

    /// <summary>Applies only the changes in <paramref name="config"/>; peers not named are untouched.</summary>
    Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken);
}
