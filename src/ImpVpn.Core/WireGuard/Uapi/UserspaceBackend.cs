using ImpVpn.Core.WireGuard.Linux;

namespace ImpVpn.Core.WireGuard.Uapi;

/// <summary>
/// wireguard-go (or any userspace WireGuard that serves the cross-platform UAPI). The interface is created by
/// starting wireguard-go, which daemonizes: the tunnel outlives the pwsh that bought it, as a tunnel must.
/// Peers and keys go over the UAPI socket; addresses, MTU and routes through ip(8).
/// </summary>
internal sealed class UserspaceBackend(
    IUapiTransport transport, LinuxLinkCommands link, string wireGuardGoPath = "wireguard-go")
    : IWireGuardBackend
{
    // wireguard-go creates its socket a moment after it forks; waiting longer than this means it failed.
    private static readonly TimeSpan SocketWait = TimeSpan.FromSeconds(10);

    public WireGuardBackendKind Kind => WireGuardBackendKind.Userspace;

    public Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) => Task.FromResult(transport.Exists(name));

    public Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken) =>
        Task.FromResult(transport.ListDevices());

    public Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken) =>
        UapiDeviceCalls.GetAsync(transport, name, Kind, cancellationToken);

    public Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken) =>
        UapiDeviceCalls.SetAsync(transport, name, config, cancellationToken);

    public async Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        InterfaceName.Validate(name);
        await link.RunAsync(cancellationToken, wireGuardGoPath, name).ConfigureAwait(false);
        await WaitForSocketAsync(name, cancellationToken).ConfigureAwait(false);
        await LinuxInterfaceSetup.CompleteAsync(this, link, name, options, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken)
    {
        // Deleting the link makes wireguard-go exit and remove its socket.
        await link.DeleteLinkAsync(name, cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + SocketWait;
        while (transport.Exists(name) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        link.AddAddressAsync(name, address, cancellationToken);

    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) => link.SetMtuAsync(name, mtu, cancellationToken);

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        link.AddRouteAsync(name, destination, cancellationToken);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        link.RemoveRouteAsync(name, destination, cancellationToken);

    private async Task WaitForSocketAsync(string name, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + SocketWait;
        while (!transport.Exists(name))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new WireGuardException($"wireguard-go did not create its control socket for '{name}' within {SocketWait.TotalSeconds:0} s.");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }
}
