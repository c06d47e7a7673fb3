using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices;

/// <summary>
/// The device client callers see, as wgctrl-go's Client: it lists the devices of every backend and sends each call
/// to the first backend that owns the named device. Order matters: wg(8) also lists wireguard-go's devices (it reads
/// the UAPI sockets too), so the UAPI backend goes before the kernel one and keeps the devices that are its own.
/// </summary>
internal sealed class WireGuardDeviceRouter(IReadOnlyList<IDeviceBackend> backends) : IWireGuardDevices
{
    public async Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var backend in backends)
        {
            names.UnionWith(await backend.ListDevicesAsync(cancellationToken).ConfigureAwait(false));
        }

        return names.ToList();
    }

    public async Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken)
    {
        var backend = await FindAsync(name, cancellationToken).ConfigureAwait(false);
        return backend is null ? null : await backend.GetDeviceAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        var backend = await FindAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new WireGuardDeviceNotFoundException(name);
        await backend.ConfigureDeviceAsync(name, config, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IDeviceBackend?> FindAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var backend in backends)
        {
            if (await backend.OwnsAsync(name, cancellationToken).ConfigureAwait(false))
            {
                return backend;
            }
        }

        return null;
    }
}
