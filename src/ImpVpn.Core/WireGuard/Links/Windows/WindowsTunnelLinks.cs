using System.Globalization;
using System.Net.Sockets;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Export;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Windows;

/// <summary>
/// Link management with WireGuard for Windows (WireGuardNT). An interface is a tunnel service installed from a .conf
/// (`wireguard.exe /installtunnelservice C:\...\NAME.conf` creates service WireGuardTunnel$NAME), which gives it its
/// key, port, MTU and addresses. Later changes to addresses, MTU and routes go through netsh on the tunnel's interface,
/// in the active store: they last as long as the running tunnel, as on Linux, and the .conf stays as it was created.
/// </summary>
/// <param name="devices">The tunnels wg.exe sees; with the .conf files, how a tunnel is known to be ours.</param>
internal sealed class WindowsTunnelLinks(
    ICommandRunner runner, IWireGuardDevices devices, string configFolder, string wireGuardExe, string wgExe, TimeSpan? serviceStartWait = null)
    : IWireGuardLinks
{
    // The tunnel service starts a moment after it is installed; peers can be set only once wg.exe sees it.
    private readonly TimeSpan _serviceStartWait = serviceStartWait ?? TimeSpan.FromSeconds(15);

    public string ConfigPath(string name) => Path.Combine(configFolder, name + ".conf");

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

        try
        {
            await WaitUntilUpAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Installed but not up: a service left behind would hold the name, and the next attempt would fail on it.
            await RemoveAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken)
    {
        if (await IsOursAsync(name, cancellationToken).ConfigureAwait(false))
        {
            await RemoveAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }

    // "add address" fails on an address the interface has already; the tunnel's own addresses are in its .conf.
    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync("netsh", ["interface", Family(address), "add", "address", name, address.ToString(), "store=active"], cancellationToken);

    // The IP interface's MTU is per address family; the tunnel service sets both from the .conf, so both change.
    public async Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken)
    {
        foreach (var family in new[] { "ipv4", "ipv6" })
        {
            await runner.RunCheckedAsync("netsh",
                ["interface", family, "set", "subinterface", name, "mtu=" + mtu.ToString(CultureInfo.InvariantCulture), "store=active"],
                cancellationToken).ConfigureAwait(false);
        }
    }

    // The tunnel service routes the AllowedIPs its .conf had at start only; a peer set later through wg.exe needs its
    // route added like any other, on the tunnel's interface (active store: gone with the tunnel).
    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync("netsh", RouteArguments("add", name, destination), cancellationToken);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync("netsh", RouteArguments("delete", name, destination), cancellationToken);

    // Windows routes by destination: the route added for the tunnel's allowed IPs sends the echo through it. ping.exe
    // exits 0 only when a reply came back (-n 1: one request; -w 1000: one second).
    public async Task<bool> EchoAsync(string name, System.Net.IPAddress address, CancellationToken cancellationToken)
    {
        var family = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4";
        var result = await runner.RunAsync("ping", [family, "-n", "1", "-w", "1000", address.ToString()], cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    // The .conf counts too: between install and the tunnel coming up, wg.exe does not list it yet.
    private async Task<bool> IsOursAsync(string name, CancellationToken cancellationToken) =>
        File.Exists(ConfigPath(name))
        || (await devices.ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name, StringComparer.OrdinalIgnoreCase);

    private async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await runner.RunCheckedAsync(wireGuardExe, ["/uninstalltunnelservice", name], cancellationToken).ConfigureAwait(false);
        File.Delete(ConfigPath(name));
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

    private static string[] RouteArguments(string verb, string name, IpPrefix destination) =>
        ["interface", Family(destination), verb, "route", destination.ToString(), name, "store=active"];

    private static string Family(IpPrefix prefix) => prefix.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
}
