using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices.Uapi;

/// <summary>
/// Devices served over WireGuard's cross-platform userspace API: wireguard-go on Linux (a Unix socket) or a
/// userspace implementation on Windows (a named pipe). A device is this backend's when its control socket answers;
/// each read is one get=1 and each change one set=1 naming only what changes.
/// </summary>
internal sealed class UapiDevices(IUapiTransport transport) : IDeviceBackend
{
    public WireGuardBackendKind Kind => WireGuardBackendKind.Userspace;

    public Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) => Task.FromResult(transport.Exists(name));

    public Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken) =>
        Task.FromResult(transport.ListDevices());

    public async Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken)
    {
        if (!transport.Exists(name))
        {
            return null;
        }

        var reply = await transport.ExchangeAsync(name, UapiCodec.GetRequest, cancellationToken).ConfigureAwait(false);
        return UapiCodec.DecodeGet(name, reply) with { Backend = Kind };
    }

    public async Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        var reply = await transport.ExchangeAsync(name, UapiCodec.EncodeSet(config), cancellationToken).ConfigureAwait(false);
        var errno = UapiCodec.DecodeErrno(name, reply);
        if (errno != 0)
        {
            throw new UapiErrorException(name, errno);
        }
    }
}
