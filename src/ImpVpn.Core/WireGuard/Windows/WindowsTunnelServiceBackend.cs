using ImpVpn.Core.WireGuard.Export;
using ImpVpn.Core.WireGuard.WgTool;

namespace ImpVpn.Core.WireGuard.Windows;

/// <summary>
/// WireGuard for Windows (WireGuardNT). An interface is a tunnel service installed from a .conf
/// (`wireguard.exe /installtunnelservice C:\...\NAME.conf` creates service WireGuardTunnel$NAME). WireGuardNT
/// serves no UAPI pipe, so the running tunnel is read and changed with the wg.exe it ships
/// (`wg show NAME dump`, `wg set`), through the same code that drives the Linux kernel module.
/// </summary>
internal sealed class WindowsTunnelServiceBackend(
    ICommandRunner runner, string configFolder, string wireGuardExe, string wgExe) : IWireGuardBackend
{
    private readonly WgCommands _wg = new(runner, wgExe, WireGuardBackendKind.WindowsTunnelService);

    public static string DefaultConfigFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ImpVpn", "tunnels");

    public static string DefaultWireGuardExe => Path.Combine(InstallFolder, "wireguard.exe");

    public static string DefaultWgExe => Path.Combine(InstallFolder, "wg.exe");

    private static string InstallFolder => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "WireGuard");

    public WireGuardBackendKind Kind => WireGuardBackendKind.WindowsTunnelService;

    public string ConfigPath(string name) => Path.Combine(configFolder, name + ".conf");

    // The .conf counts too: between install and the tunnel coming up, wg.exe does not list it yet.
    public async Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) =>
        File.Exists(ConfigPath(name)) || (await ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name, StringComparer.OrdinalIgnoreCase);

    public Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken) => _wg.ListInterfacesAsync(cancellationToken);

    public Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken) => _wg.GetDeviceAsync(name, cancellationToken);

    public Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken) =>
        _wg.ConfigureDeviceAsync(name, config, cancellationToken);

    /// <summary>Writes NAME.conf (owner-only) and installs it as a tunnel service; peers are added afterwards.</summary>
    public async Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        InterfaceName.Validate(name);
        var privateKey = options.PrivateKey
            ?? throw new ArgumentException("WireGuard for Windows needs the private key in the tunnel's .conf.", nameof(options));
        var config = new WgQuickConfig(privateKey, options.Addresses) { ListenPort = options.ListenPort, Mtu = options.Mtu };
        config.WriteFile(ConfigPath(name));
        await runner.RunCheckedAsync(wireGuardExe, ["/installtunnelservice", ConfigPath(name)], cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken)
    {
        if (!await OwnsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await runner.RunCheckedAsync(wireGuardExe, ["/uninstalltunnelservice", name], cancellationToken).ConfigureAwait(false);
        File.Delete(ConfigPath(name));
    }

    // Addresses, MTU and routes of a Windows tunnel come from its .conf; changing them means reinstalling it.
    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        throw new PlatformNotSupportedException("On Windows, a tunnel's addresses are set when it is created.");

    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) =>
        throw new PlatformNotSupportedException("On Windows, a tunnel's MTU is set when it is created.");

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        // WireGuard for Windows routes each peer's AllowedIPs itself.
        Task.CompletedTask;

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) => Task.CompletedTask;
}
