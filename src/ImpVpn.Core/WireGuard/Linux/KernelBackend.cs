using ImpVpn.Core.WireGuard.Uapi;
using ImpVpn.Core.WireGuard.WgTool;

namespace ImpVpn.Core.WireGuard.Linux;

/// <summary>
/// The Linux kernel module, driven with ip(8) and wg(8) (no netlink from .NET here). Each change is one
/// `wg set` naming only the peer that changes, so it costs the same on a device with thousands of peers.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class KernelBackend : IWireGuardBackend
{
    private readonly LinuxLinkCommands _link;
    private readonly IUapiTransport _userspace;
    private readonly Func<bool> _kernelHasWireGuard;
    private readonly WgCommands _wg;

    /// <param name="userspace">The userspace devices' transport: wg lists those too, but they are not ours.</param>
    /// <param name="kernelHasWireGuard">Asked on every call: `ip link add … type wireguard` loads the module on demand.</param>
    public KernelBackend(
        ICommandRunner runner, LinuxLinkCommands link, LinuxNetworkContext context, IUapiTransport userspace, Func<bool>? kernelHasWireGuard = null)
    {
        _link = link;
        _userspace = userspace;
        _kernelHasWireGuard = kernelHasWireGuard ?? KernelHasWireGuard;
        _wg = new WgCommands(new NamespacedCommandRunner(runner, context), "wg", WireGuardBackendKind.LinuxKernel);
    }

    public WireGuardBackendKind Kind => WireGuardBackendKind.LinuxKernel;

    /// <summary>Whether this kernel has WireGuard: the module is loaded (or built in) when /sys/module/wireguard exists.</summary>
    public static bool KernelHasWireGuard() => Directory.Exists("/sys/module/wireguard");

    public async Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) =>
        (await ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name);

    public async Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken)
    {
        // Without the module no kernel device can exist, and a userspace-only host need not have wg at all.
        // With it, a failing wg is a real error and is thrown rather than read as "no devices".
        if (!_kernelHasWireGuard())
        {
            return [];
        }

        var names = await _wg.ListInterfacesAsync(cancellationToken).ConfigureAwait(false);
        return names.Where(n => !_userspace.Exists(n)).ToList();
    }

    public async Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken) =>
        _kernelHasWireGuard() ? await _wg.GetDeviceAsync(name, cancellationToken).ConfigureAwait(false) : null;

    public Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken) =>
        _wg.ConfigureDeviceAsync(name, config, cancellationToken);

    public async Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        InterfaceName.Validate(name);
        await _link.RunAsync(cancellationToken, "ip", "link", "add", "dev", name, "type", "wireguard").ConfigureAwait(false);
        await LinuxInterfaceSetup.CompleteAsync(this, _link, name, options, cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken) => _link.DeleteLinkAsync(name, cancellationToken);

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        _link.AddAddressAsync(name, address, cancellationToken);

    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) => _link.SetMtuAsync(name, mtu, cancellationToken);

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        _link.AddRouteAsync(name, destination, cancellationToken);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        _link.RemoveRouteAsync(name, destination, cancellationToken);
}
