using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>
/// Link management on Linux with ip(8) (no netlink from .NET here), in the caller's network namespace or a named one.
/// New links are made by <c>creator</c> (kernel module or wireguard-go); their key and port are set
/// through <c>devices</c>, the same device client every other change goes through.
/// </summary>
/// <param name="devices">Every WireGuard device here, whichever backend serves it: a link is deleted only when it is
/// one of them, and deleting waits until it is gone from them.</param>
internal sealed class LinuxLinks(LinuxLinkCommands ip, ILinkCreator creator, IWireGuardDevices devices) : IWireGuardLinks
{
    // wireguard-go exits a moment after its link is deleted; waiting longer than this means it hangs.
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    public async Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        InterfaceName.Validate(name);
        await creator.CreateAsync(name, cancellationToken).ConfigureAwait(false);
        try
        {
            await creator.WaitUntilReadyAsync(name, cancellationToken).ConfigureAwait(false);
            await devices.ConfigureDeviceAsync(name, new DeviceConfig { PrivateKey = options.PrivateKey, ListenPort = options.ListenPort }, cancellationToken)
                .ConfigureAwait(false);
            await ip.SetMtuAsync(name, options.Mtu, cancellationToken).ConfigureAwait(false);
            foreach (var address in options.Addresses)
            {
                await ip.AddAddressAsync(name, address, cancellationToken).ConfigureAwait(false);
            }

            await ip.UpAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The link is ours (creating it succeeded): a half-made one would make the next attempt collide with it.
            await RemoveAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken)
    {
        // Only WireGuard links: a name that is some other interface (eth0) is not ours to delete.
        if ((await devices.ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name))
        {
            await RemoveAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        ip.AddAddressAsync(name, address, cancellationToken);

    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) => ip.SetMtuAsync(name, mtu, cancellationToken);

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        ip.AddRouteAsync(name, destination, cancellationToken);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        ip.RemoveRouteAsync(name, destination, cancellationToken);

    public Task<bool> EchoAsync(string name, System.Net.IPAddress address, CancellationToken cancellationToken)
    {
        InterfaceName.Validate(name);
        return ip.EchoAsync(name, address, cancellationToken);
    }

    private async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        // Deleting the link makes wireguard-go exit and remove its socket; until then the name is not free again.
        await ip.DeleteLinkAsync(name, cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + ExitWait;
        while ((await devices.ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
