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
    ICommandRunner runner, string configFolder, string wireGuardExe, string wgExe, TimeSpan? serviceStartWait = null) : IWireGuardBackend
{
    private readonly WgCommands _wg = new(runner, wgExe, WireGuardBackendKind.WindowsTunnelService);

    // The tunnel service starts a moment after it is installed; peers can be set only once wg.exe sees it.
    private readonly TimeSpan _serviceStartWait = serviceStartWait ?? TimeSpan.FromSeconds(15);

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

    /// <summary>Writes NAME.conf (owner-only), installs it as a tunnel service and waits until the tunnel is up;
    /// peers are added afterwards.</summary>
    public async Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        InterfaceName.Validate(name);
        var privateKey = options.PrivateKey
            ?? throw new ArgumentException("WireGuard for Windows needs the private key in the tunnel's .conf.", nameof(options));
        var config = new WgQuickConfig(privateKey, options.Addresses) { ListenPort = options.ListenPort, Mtu = options.Mtu };
        config.WriteFile(ConfigPath(name));
        try
        {
            await runner.RunCheckedAsync(wireGuardExe, ["/installtunnelservice", ConfigPath(name)], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not installed: the file holding the private key has no reason to stay.
            File.Delete(ConfigPath(name));
            throw;
        }

        await WaitUntilUpAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitUntilUpAsync(string name, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _serviceStartWait;
        while ((await runner.RunAsync(wgExe, ["show", name, "public-key"], cancellationToken).ConfigureAwait(false)).ExitCode != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new WireGuardException($"The tunnel service for '{name}' was installed but the tunnel did not come up within {_serviceStartWait.TotalSeconds:0} s; see the WireGuard app's log.");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
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

    // The tunnel service routes the AllowedIPs its .conf had at start only; a peer set later through wg.exe needs its
    // route added like any other, on the tunnel's interface (active store: gone with the tunnel).
    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync("netsh", RouteArguments("add", name, destination), cancellationToken);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync("netsh", RouteArguments("delete", name, destination), cancellationToken);

    private static string[] RouteArguments(string verb, string name, IpPrefix destination) =>
        ["interface", destination.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4",
            verb, "route", destination.ToString(), name, "store=active"];
}
