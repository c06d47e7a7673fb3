using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>Linux links as <see cref="WireGuardHosts"/> composes them, checked on the commands they would run.</summary>
public sealed class LinuxLinksTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly Func<bool> KernelModuleLoaded = () => true;

    /// <summary>A kernel with the WireGuard links in <paramref name="kernelDevices"/>: `ip link add` and `ip link delete`
    /// change them and `wg show interfaces` lists them. Fails the commands <paramref name="failing"/> picks.</summary>
    private static RecordingCommandRunner Runner(string[]? kernelDevices = null, Func<string, bool>? failing = null)
    {
        var links = new List<string>(kernelDevices ?? []);
        return new((file, arguments) =>
        {
            var command = file + " " + string.Join(' ', arguments);
            if (failing?.Invoke(command) == true)
            {
                return new CommandResult(2, string.Empty, "RTNETLINK answers: simulated failure");
            }

            switch (arguments.SkipWhile(a => a != "link").ToArray())
            {
                case ["link", "add", "dev", var name, ..]:
                    links.Add(name);
                    break;
                case ["link", "delete", "dev", var name]:
                    links.Remove(name);
                    break;
            }

            return command.EndsWith("wg show interfaces", StringComparison.Ordinal)
                ? new CommandResult(0, string.Join('\n', links), string.Empty)
                : new CommandResult(0, string.Empty, string.Empty);
        });
    }

    private static WireGuardHost KernelHost(RecordingCommandRunner runner, LinuxNetworkContext? context = null) =>
        WireGuardHosts.ForLinux(runner, context ?? LinuxNetworkContext.Current, new FakeUapiTransport(), createWithKernel: true, KernelModuleLoaded);

    [Fact]
    public async Task Commands_in_a_namespace_run_through_ip_netns_exec()
    {
        var runner = Runner(["wg7"]);
        var host = KernelHost(runner, new LinuxNetworkContext("ns1"));

        await host.Links.SetMtuAsync("wg7", 1380, None);
        await host.Devices.ConfigureDeviceAsync("wg7", new DeviceConfig { ListenPort = 1 }, None);

        Assert.Equal(
            ["ip netns exec ns1 ip link set dev wg7 mtu 1380", "ip netns exec ns1 wg show interfaces", "ip netns exec ns1 wg set wg7 listen-port 1"],
            runner.Commands);
    }

    [Fact]
    public async Task Creating_with_the_kernel_module_adds_the_link_then_sets_key_and_port_mtu_addresses_and_up()
    {
        var runner = Runner();
        using var key = WireGuardPrivateKey.Generate();

        await KernelHost(runner).Links.CreateInterfaceAsync("wg9", new InterfaceOptions
        {
            PrivateKey = key,
            ListenPort = 51820,
            Addresses = [IpPrefix.Parse("10.77.0.1/24"), IpPrefix.Parse("fd77::1/64")],
        }, None);

        Assert.Equal("ip link add dev wg9 type wireguard", runner.Commands.ToArray()[0]);
        Assert.Equal("wg show interfaces", runner.Commands.ToArray()[1]);
        Assert.Matches("^wg set wg9 private-key /.+ listen-port 51820$", runner.Commands.ToArray()[2]);
        Assert.Equal(
            ["ip link set dev wg9 mtu 1420", "ip -4 address replace 10.77.0.1/24 dev wg9", "ip -6 address replace fd77::1/64 dev wg9", "ip link set dev wg9 up"],
            runner.Commands.ToArray()[3..]);
        Assert.DoesNotContain(runner.Commands, c => c.Contains(key.RevealBase64(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_link_that_fails_half_way_is_deleted_so_the_next_attempt_does_not_collide()
    {
        var runner = Runner(failing: c => c.Contains("mtu", StringComparison.Ordinal));

        await Assert.ThrowsAsync<SystemCommandException>(
            () => KernelHost(runner).Links.CreateInterfaceAsync("wg9", new InterfaceOptions { ListenPort = 1 }, None));

        Assert.Equal(["ip link show dev wg9", "ip link delete dev wg9"], runner.Commands.ToArray()[^3..^1]);
    }

    [Fact]
    public async Task A_name_that_is_taken_already_is_not_deleted_when_adding_the_link_fails()
    {
        var runner = Runner(failing: c => c.StartsWith("ip link add", StringComparison.Ordinal));

        await Assert.ThrowsAsync<SystemCommandException>(() => KernelHost(runner).Links.CreateInterfaceAsync("wg9", new InterfaceOptions(), None));

        Assert.Equal(["ip link add dev wg9 type wireguard"], runner.Commands);
    }

    [Fact]
    public async Task Deleting_touches_only_wireguard_links_and_a_missing_one_is_not_an_error()
    {
        var runner = Runner(["wg9"]);
        var host = KernelHost(runner);

        await host.Links.DeleteInterfaceAsync("eth0", None);
        Assert.Equal(["wg show interfaces"], runner.Commands);

        runner.Commands.Clear();
        await host.Links.DeleteInterfaceAsync("wg9", None);
        Assert.Equal(["wg show interfaces", "ip link show dev wg9", "ip link delete dev wg9"], runner.Commands.ToArray()[..3]);
    }

    [Fact]
    public async Task Without_the_kernel_module_there_are_no_kernel_devices_and_wg_is_never_run()
    {
        var runner = new RecordingCommandRunner((file, _) => throw new SystemCommandException(file, -1, "cannot start it: not found"));
        var host = WireGuardHosts.ForLinux(runner, LinuxNetworkContext.Current, new FakeUapiTransport(), createWithKernel: false, () => false);

        Assert.Empty(await host.Devices.ListDevicesAsync(None));
        Assert.Null(await host.Devices.GetDeviceAsync("gone0", None));
        await host.Links.DeleteInterfaceAsync("gone0", None);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task Routes_go_to_the_network_and_addresses_are_replaced_not_added()
    {
        var runner = Runner();
        var links = KernelHost(runner).Links;

        await links.AddAddressAsync("wg9", IpPrefix.Parse("10.77.0.1/24"), None);
        await links.AddRouteAsync("wg9", IpPrefix.Parse("10.78.3.4/16"), None);
        await links.RemoveRouteAsync("wg9", IpPrefix.Parse("fd78::9/64"), None);

        Assert.Equal(
            ["ip -4 address replace 10.77.0.1/24 dev wg9", "ip -4 route replace 10.78.0.0/16 dev wg9", "ip -6 route del fd78::/64 dev wg9"],
            runner.Commands);
    }

    [Fact]
    public async Task Without_the_kernel_module_wireguard_go_makes_the_link_and_its_key_goes_over_the_uapi()
    {
        var sockets = new FakeUapiTransport();
        var runner = new RecordingCommandRunner((file, arguments) =>
        {
            // As wireguard-go does: its control socket appears once it runs, and goes when its link is deleted.
            if (file == "wireguard-go")
            {
                sockets.Add(arguments[0]);
            }
            else if (arguments is ["link", "delete", "dev", var name])
            {
                sockets.Remove(name);
            }

            return new CommandResult(0, string.Empty, string.Empty);
        });
        var host = WireGuardHosts.ForLinux(runner, LinuxNetworkContext.Current, sockets, createWithKernel: false, () => false);
        using var key = WireGuardPrivateKey.Generate();

        await host.Links.CreateInterfaceAsync("ivgo1", new InterfaceOptions { PrivateKey = key, ListenPort = 51820 }, None);
        await host.Links.DeleteInterfaceAsync("ivgo1", None);

        Assert.Equal(
            ["wireguard-go ivgo1", "ip link set dev ivgo1 mtu 1420", "ip link set dev ivgo1 up", "ip link show dev ivgo1", "ip link delete dev ivgo1"],
            runner.Commands);
        Assert.Equal([$"set=1\nprivate_key={key.RevealHex()}\nlisten_port=51820\n\n"], sockets.Requests);
        Assert.Empty(sockets.ListDevices());
    }
}
