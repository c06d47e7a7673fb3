using ImpVpn.Core.WireGuard.Linux;
using ImpVpn.Core.WireGuard.Uapi;
using ImpVpn.Core.WireGuard.Windows;

namespace ImpVpn.Core.WireGuard;

/// <summary>
/// The WireGuard client: finds which backend owns a device and sends each call there. New interfaces go to the
/// kernel module where the kernel has it, to wireguard-go otherwise (Linux), or to WireGuard for Windows.
/// </summary>
public sealed class WireGuardClient : IWireGuardClient
{
    private readonly IReadOnlyList<IWireGuardBackend> _backends;
    private readonly IWireGuardBackend _creator;

    private WireGuardClient(IReadOnlyList<IWireGuardBackend> backends, IWireGuardBackend creator)
    {
        _backends = backends;
        _creator = creator;
    }

    /// <summary>The kind of backend new interfaces are created with.</summary>
    public WireGuardBackendKind CreatesWith => _creator.Kind;

    /// <summary>A client for this machine. On Linux, <paramref name="context"/> may name a network namespace.</summary>
    public static WireGuardClient Create(LinuxNetworkContext? context = null, bool? preferKernel = null)
    {
        var runner = ProcessCommandRunner.Instance;
        if (OperatingSystem.IsWindows())
        {
            var windows = new WindowsTunnelServiceBackend(runner, WindowsTunnelServiceBackend.DefaultConfigFolder,
                WindowsTunnelServiceBackend.DefaultWireGuardExe, WindowsTunnelServiceBackend.DefaultWgExe);
            return new WireGuardClient([windows], windows);
        }

        context ??= LinuxNetworkContext.Current;
        var link = new LinuxLinkCommands(runner, context);
        var sockets = new UnixSocketUapiTransport(UnixSocketUapiTransport.DefaultFolder);
        var userspace = new UserspaceBackend(sockets, link);
        var kernel = new KernelBackend(runner, link, context, sockets);
        var useKernel = preferKernel ?? KernelBackend.KernelHasWireGuard();
        return new WireGuardClient([userspace, kernel], useKernel ? kernel : userspace);
    }

    internal static WireGuardClient FromBackends(IReadOnlyList<IWireGuardBackend> backends, IWireGuardBackend creator) =>
        new(backends, creator);

    public async Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var backend in _backends)
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

    public async Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken) =>
        await (await RequireAsync(name, cancellationToken).ConfigureAwait(false))
            .ConfigureDeviceAsync(name, config, cancellationToken).ConfigureAwait(false);

    public Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken) =>
        _creator.CreateInterfaceAsync(name, options, cancellationToken);

    public async Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken)
    {
        var backend = await FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (backend is not null)
        {
            await backend.DeleteInterfaceAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        await (await RequireAsync(name, cancellationToken).ConfigureAwait(false))
            .AddAddressAsync(name, address, cancellationToken).ConfigureAwait(false);

    public async Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) =>
        await (await RequireAsync(name, cancellationToken).ConfigureAwait(false))
            .SetMtuAsync(name, mtu, cancellationToken).ConfigureAwait(false);

    public async Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        await (await RequireAsync(name, cancellationToken).ConfigureAwait(false))
            .AddRouteAsync(name, destination, cancellationToken).ConfigureAwait(false);

    public async Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        await (await RequireAsync(name, cancellationToken).ConfigureAwait(false))
            .RemoveRouteAsync(name, destination, cancellationToken).ConfigureAwait(false);

    private async Task<IWireGuardBackend?> FindAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var backend in _backends)
        {
            if (await backend.OwnsAsync(name, cancellationToken).ConfigureAwait(false))
            {
                return backend;
            }
        }

        return null;
    }

    private async Task<IWireGuardBackend> RequireAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new WireGuardDeviceNotFoundException(name);
}
