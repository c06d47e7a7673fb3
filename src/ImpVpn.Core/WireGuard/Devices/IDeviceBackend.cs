using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices;

/// <summary>One way of reaching WireGuard devices (wireguard-go's UAPI, wg(8) against the kernel or WireGuardNT).
/// <see cref="WireGuardDeviceRouter"/> asks each backend in turn whether it owns a device and sends the call there.</summary>
internal interface IDeviceBackend : IWireGuardDevices
{
    WireGuardBackendKind Kind { get; }

    Task<bool> OwnsAsync(string name, CancellationToken cancellationToken);
}
