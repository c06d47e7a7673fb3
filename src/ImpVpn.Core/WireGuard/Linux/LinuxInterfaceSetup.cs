namespace ImpVpn.Core.WireGuard.Linux;

/// <summary>What follows the creation of a link on Linux, whichever backend made it: key and port, MTU, addresses,
/// up. A half-made interface is deleted, so the next attempt does not collide with it.</summary>
internal static class LinuxInterfaceSetup
{
    public static async Task CompleteAsync(
        IWireGuardBackend backend, LinuxLinkCommands link, string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await backend.ConfigureDeviceAsync(name, new DeviceConfig { PrivateKey = options.PrivateKey, ListenPort = options.ListenPort }, cancellationToken)
                .ConfigureAwait(false);
            await link.SetMtuAsync(name, options.Mtu, cancellationToken).ConfigureAwait(false);
            foreach (var address in options.Addresses)
            {
                await link.AddAddressAsync(name, address, cancellationToken).ConfigureAwait(false);
            }

            await link.UpAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await backend.DeleteInterfaceAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
