using ImpVpn.Core.WireGuard.Export;
using ImpVpn.Core.WireGuard.Uapi;

namespace ImpVpn.Core.WireGuard.Windows;

/// <summary>
/// WireGuard for Windows. An interface is a tunnel service installed from a .conf
/// (`wireguard.exe /installtunnelservice C:\...\NAME.conf` creates service WireGuardTunnel$NAME);
/// once it runs, peers are changed one at a time over the tunnel's UAPI named pipe, like wireguard-go.
/// </summary>
internal sealed class WindowsTunnelServiceBackend(
    ICommandRunner runner, IUapiTransport transport, string configFolder, string wireGuardExe) : IWireGuardBackend
{
    public static string DefaultConfigFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ImpVpn", "tunnels");

    public static string DefaultWireGuardExe =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "WireGuard", "wireguard.exe");

    public WireGuardBackendKind Kind => WireGuardBackendKind.WindowsTunnelService;

    public string ConfigPath(string name) => Path.Combine(configFolder, name + ".conf");

    public Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(transport.Exists(name) || File.Exists(ConfigPath(name)));

    public Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken) => Task.FromResult(transport.ListDevices());

    public Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken) =>
        UapiDeviceCalls.GetAsync(transport, name, Kind, cancellationToken);

    public Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken) =>
        UapiDeviceCalls.SetAsync(transport, name, config, cancellationToken);

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
        if (!File.Exists(ConfigPath(name)) && !transport.Exists(name))
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
