namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>A link of the kernel module's type (`ip link add … type wireguard`, which loads the module on demand).
/// The kernel's device exists as soon as the link does.</summary>
internal sealed class KernelModuleLinkCreator(LinuxLinkCommands ip) : ILinkCreator
{
    public Task CreateAsync(string name, CancellationToken cancellationToken) =>
        ip.RunAsync("ip", ["link", "add", "dev", name, "type", "wireguard"], cancellationToken);

    public Task WaitUntilReadyAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;
}
