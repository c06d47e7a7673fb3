using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>A TUN link served by wireguard-go, for kernels without the module. wireguard-go daemonizes, so the tunnel
/// outlives the pwsh that bought it, as a tunnel must; its device answers once its control socket is up.</summary>
/// <param name="userspaceDevices">The devices wireguard-go serves (its UAPI sockets): the new one appears there.</param>
internal sealed class WireGuardGoLinkCreator(LinuxLinkCommands ip, IWireGuardDevices userspaceDevices, string wireGuardGoPath = "wireguard-go")
    : ILinkCreator
{
    // wireguard-go creates its socket a moment after it forks; waiting longer than this means it failed.
    private static readonly TimeSpan SocketWait = TimeSpan.FromSeconds(10);

    public Task CreateAsync(string name, CancellationToken cancellationToken) => ip.RunAsync(wireGuardGoPath, [name], cancellationToken);

    public async Task WaitUntilReadyAsync(string name, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + SocketWait;
        while (!(await userspaceDevices.ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new WireGuardException($"wireguard-go did not create its control socket for '{name}' within {SocketWait.TotalSeconds:0} s.");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }
}
