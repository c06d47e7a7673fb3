using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Devices.Uapi;
using ImpVpn.Core.WireGuard.Devices.WgTool;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>What the Windows host (tunnel-service links, wg.exe devices) would run, checked on Linux through the
/// recording runner. The ACLs it sets on secret files (Windows only) are not exercised here.</summary>
public sealed class WindowsTunnelLinksTests : IDisposable
{
    private const string WgExe = @"C:\Program Files\WireGuard\wg.exe";
    private static readonly WireGuardPrivateKey DeviceKey = WireGuardPrivateKey.Generate();
    private static readonly WireGuardPublicKey Existing = WireGuardPrivateKey.Generate().PublicKey;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ivt-win-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, true);
        }
    }

    private WireGuardHost Host(RecordingCommandRunner runner, string wireGuardExe = "wireguard.exe", TimeSpan? serviceStartWait = null) =>
        WireGuardHosts.ForWindows(runner, _folder, wireGuardExe, WgExe, serviceStartWait);

    private IWireGuardLinks Backend(RecordingCommandRunner runner, string wireGuardExe = "wireguard.exe") => Host(runner, wireGuardExe).Links;

    /// <summary>wg.exe's devices on their own, so each test sees exactly the wg.exe commands a call makes.</summary>
    private static WgToolDevices Devices(RecordingCommandRunner runner) =>
        new(runner, WgExe, WireGuardBackendKind.WindowsTunnelService, () => true);

    /// <summary>wg.exe knowing one tunnel, impvpn1, with one peer.</summary>
    private static RecordingCommandRunner WgExeWithOneTunnel() => new((file, arguments) => arguments switch
    {
        ["show", "interfaces"] => new CommandResult(0, "impvpn1\r\n", string.Empty),
        ["show", "impvpn1", "dump"] => new CommandResult(0,
            $"{DeviceKey.RevealBase64()}\t{DeviceKey.PublicKey.ToBase64()}\t51820\t0x10\n" +
            $"{Existing.ToBase64()}\t(none)\t10.0.0.9:51820\t10.77.0.9/32\t1700000000\t100\t200\toff\n",
            string.Empty),
        ["show", _, "dump"] => new CommandResult(1, string.Empty, "Unable to access interface: No such file or directory"),
        _ => new CommandResult(0, string.Empty, string.Empty),
    });

    [Fact]
    public async Task Creating_a_tunnel_writes_its_conf_and_installs_it_as_a_tunnel_service()
    {
        var runner = new RecordingCommandRunner();
        var backend = Backend(runner, @"C:\Program Files\WireGuard\wireguard.exe");
        using var key = WireGuardPrivateKey.Generate();

        await backend.CreateInterfaceAsync("impvpn1", new InterfaceOptions
        {
            PrivateKey = key,
            Addresses = [IpPrefix.Parse("10.77.0.2/32")],
            Mtu = 1420,
        }, CancellationToken.None);

        var conf = Path.Combine(_folder, "impvpn1.conf");
        Assert.Equal([$@"C:\Program Files\WireGuard\wireguard.exe /installtunnelservice {conf}", $"{WgExe} show impvpn1 public-key"], runner.Commands);
        var text = await File.ReadAllTextAsync(conf);
        Assert.Contains($"PrivateKey = {key.RevealBase64()}\n", text);
        Assert.Contains("Address = 10.77.0.2/32\n", text);
        Assert.Contains("MTU = 1420\n", text);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(conf));
        }
    }

    [Fact]
    public async Task Creating_waits_for_the_tunnel_to_come_up_and_a_failed_install_leaves_no_key_behind()
    {
        var checks = 0;
        var slow = new RecordingCommandRunner((file, arguments) => arguments switch
        {
            ["show", "impvpn3", "public-key"] => new CommandResult(++checks < 3 ? 1 : 0, string.Empty, string.Empty),
            _ => new CommandResult(0, string.Empty, string.Empty),
        });
        using var key = WireGuardPrivateKey.Generate();
        await Backend(slow).CreateInterfaceAsync("impvpn3", new InterfaceOptions { PrivateKey = key }, CancellationToken.None);
        Assert.Equal(3, checks);

        var failing = new RecordingCommandRunner((file, arguments) => arguments is ["/installtunnelservice", _]
            ? new CommandResult(1, string.Empty, "Access is denied.")
            : new CommandResult(0, string.Empty, string.Empty));
        await Assert.ThrowsAsync<SystemCommandException>(() => Backend(failing).CreateInterfaceAsync("impvpn4", new InterfaceOptions { PrivateKey = key }, CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_folder, "impvpn4.conf")));

        var never = new RecordingCommandRunner((file, arguments) => new CommandResult(arguments is ["show", _, "public-key"] ? 1 : 0, string.Empty, string.Empty));
        var backend = Host(never, serviceStartWait: TimeSpan.Zero).Links;
        Assert.Contains("did not come up", (await Assert.ThrowsAsync<WireGuardException>(
            () => backend.CreateInterfaceAsync("impvpn5", new InterfaceOptions { PrivateKey = key }, CancellationToken.None))).Message);
        // Installed but never up: the service is removed again, and with it the file holding the key.
        Assert.Equal("wireguard.exe /uninstalltunnelservice impvpn5", never.Commands[^1]);
        Assert.False(File.Exists(Path.Combine(_folder, "impvpn5.conf")));
    }

    [Fact]
    public async Task A_route_to_a_peer_set_after_start_is_added_on_the_tunnels_interface()
    {
        var runner = new RecordingCommandRunner();
        var backend = Backend(runner);

        await backend.AddRouteAsync("impvpn1", IpPrefix.Parse("10.77.0.1/32"), CancellationToken.None);
        await backend.RemoveRouteAsync("impvpn1", IpPrefix.Parse("fd00::1/128"), CancellationToken.None);

        Assert.Equal(
            ["netsh interface ipv4 add route 10.77.0.1/32 impvpn1 store=active", "netsh interface ipv6 delete route fd00::1/128 impvpn1 store=active"],
            runner.Commands);
    }

    [Fact]
    public async Task Addresses_and_the_mtu_of_a_running_tunnel_change_through_netsh()
    {
        var runner = new RecordingCommandRunner();
        var links = Backend(runner);

        await links.AddAddressAsync("impvpn1", IpPrefix.Parse("10.77.0.5/32"), CancellationToken.None);
        await links.AddAddressAsync("impvpn1", IpPrefix.Parse("fd77::5/128"), CancellationToken.None);
        await links.SetMtuAsync("impvpn1", 1380, CancellationToken.None);

        Assert.Equal(
        [
            "netsh interface ipv4 add address impvpn1 10.77.0.5/32 store=active",
            "netsh interface ipv6 add address impvpn1 fd77::5/128 store=active",
            "netsh interface ipv4 set subinterface impvpn1 mtu=1380 store=active",
            "netsh interface ipv6 set subinterface impvpn1 mtu=1380 store=active",
        ], runner.Commands);
    }

    [Fact]
    public async Task Every_link_member_works_on_windows()
    {
        // Nothing on Windows' link interface may throw NotSupportedException: each member does what it says.
        var runner = WgExeWithOneTunnel();
        var links = Backend(runner);
        using var key = WireGuardPrivateKey.Generate();
        var prefix = IpPrefix.Parse("10.77.0.9/32");

        await links.CreateInterfaceAsync("impvpn1", new InterfaceOptions { PrivateKey = key, Addresses = [prefix] }, CancellationToken.None);
        await links.AddAddressAsync("impvpn1", IpPrefix.Parse("10.77.0.10/32"), CancellationToken.None);
        await links.SetMtuAsync("impvpn1", 1400, CancellationToken.None);
        await links.AddRouteAsync("impvpn1", prefix, CancellationToken.None);
        await links.RemoveRouteAsync("impvpn1", prefix, CancellationToken.None);
        await links.DeleteInterfaceAsync("impvpn1", CancellationToken.None);

        var conf = Path.Combine(_folder, "impvpn1.conf");
        Assert.Equal(
        [
            $"wireguard.exe /installtunnelservice {conf}",
            "netsh interface ipv4 add address impvpn1 10.77.0.10/32 store=active",
            "netsh interface ipv4 set subinterface impvpn1 mtu=1400 store=active",
            "netsh interface ipv6 set subinterface impvpn1 mtu=1400 store=active",
            "netsh interface ipv4 add route 10.77.0.9/32 impvpn1 store=active",
            "netsh interface ipv4 delete route 10.77.0.9/32 impvpn1 store=active",
            "wireguard.exe /uninstalltunnelservice impvpn1",
        ], runner.Commands.Where(c => !c.StartsWith(WgExe, StringComparison.Ordinal)));
        Assert.False(File.Exists(Path.Combine(_folder, "impvpn1.conf")));
    }

    [Fact]
    public async Task The_windows_host_reads_tunnels_through_wg_exe()
    {
        var host = Host(WgExeWithOneTunnel());

        Assert.Equal(["impvpn1"], await host.Devices.ListDevicesAsync(CancellationToken.None));
        Assert.Equal(WireGuardBackendKind.WindowsTunnelService, (await host.Devices.GetDeviceAsync("impvpn1", CancellationToken.None))!.Backend);
        Assert.Null(await host.Devices.GetDeviceAsync("other9", CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_tunnel_uninstalls_its_service_and_removes_the_conf()
    {
        var runner = new RecordingCommandRunner();
        var backend = Backend(runner);
        using var key = WireGuardPrivateKey.Generate();
        await backend.CreateInterfaceAsync("impvpn2", new InterfaceOptions { PrivateKey = key }, CancellationToken.None);

        await backend.DeleteInterfaceAsync("impvpn2", CancellationToken.None);

        Assert.Equal("wireguard.exe /uninstalltunnelservice impvpn2", runner.Commands[^1]);
        Assert.False(File.Exists(Path.Combine(_folder, "impvpn2.conf")));
    }

    [Fact]
    public async Task Deleting_a_tunnel_neither_wg_exe_nor_a_conf_knows_runs_no_uninstall()
    {
        var runner = WgExeWithOneTunnel();

        await Backend(runner).DeleteInterfaceAsync("other9", CancellationToken.None);

        Assert.Equal([$"{WgExe} show interfaces"], runner.Commands);
    }

    [Fact]
    public async Task Tunnels_are_listed_and_read_through_wg_exe()
    {
        var runner = WgExeWithOneTunnel();
        var backend = Devices(runner);

        var names = await backend.ListDevicesAsync(CancellationToken.None);
        var device = await backend.GetDeviceAsync("impvpn1", CancellationToken.None);
        var missing = await backend.GetDeviceAsync("other9", CancellationToken.None);

        Assert.Equal(["impvpn1"], names);
        Assert.NotNull(device);
        Assert.Equal(WireGuardBackendKind.WindowsTunnelService, device.Backend);
        Assert.Equal(DeviceKey.PublicKey, device.PublicKey);
        Assert.Equal(0x10u, device.FirewallMark);
        Assert.Equal(Existing, Assert.Single(device.Peers).PublicKey);
        Assert.Null(missing);
        Assert.Equal([$"{WgExe} show interfaces", $"{WgExe} show impvpn1 dump", $"{WgExe} show other9 dump"], runner.Commands);
    }

    [Fact]
    public async Task A_peer_change_is_one_wg_exe_set_naming_only_that_peer()
    {
        var runner = WgExeWithOneTunnel();
        var added = WireGuardPrivateKey.Generate().PublicKey;

        await Devices(runner).ConfigureDeviceAsync("impvpn1", new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(added) { ReplaceAllowedIps = true, AllowedIps = [IpPrefix.Parse("10.77.0.3/32")] },
                PeerConfig.Removal(Existing),
            ],
        }, CancellationToken.None);

        Assert.Equal(
            [$"{WgExe} set impvpn1 peer {added.ToBase64()} allowed-ips 10.77.0.3/32 peer {Existing.ToBase64()} remove"],
            runner.Commands);
    }

    [Fact]
    public async Task A_private_key_reaches_wg_exe_through_a_file_never_on_its_command_line()
    {
        var runner = WgExeWithOneTunnel();
        using var newKey = WireGuardPrivateKey.Generate();

        await Devices(runner).ConfigureDeviceAsync("impvpn1", new DeviceConfig { PrivateKey = newKey }, CancellationToken.None);

        var set = Assert.Single(runner.Commands);
        Assert.StartsWith($"{WgExe} set impvpn1 private-key ", set);
        Assert.DoesNotContain(newKey.RevealBase64(), set);
        var (path, content) = Assert.Single(runner.FilesSeen);
        Assert.Equal(newKey.RevealBase64(), content);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(@"\\.\pipe\ProtectedPrefix\Administrators\WireGuard\impvpn1", "impvpn1")]
    [InlineData(@"\\.\pipe\protectedprefix\administrators\wireguard\wg0", "wg0")]
    [InlineData(@"ProtectedPrefix\Administrators\WireGuard\wg0", "wg0")]
    [InlineData(@"\\.\pipe\ProtectedPrefix\Administrators\WireGuard\", null)]
    [InlineData(@"\\.\pipe\WireGuard\wg0", null)]
    [InlineData(@"\\.\pipe\wg0", null)]
    [InlineData(@"\\.\pipe\mojo.1234.5678", null)]
    public void A_pipe_path_names_its_device_only_under_wireguards_protected_prefix(string pipePath, string? device) =>
        Assert.Equal(device, NamedPipeUapiTransport.DeviceOfPipe(pipePath));
}
