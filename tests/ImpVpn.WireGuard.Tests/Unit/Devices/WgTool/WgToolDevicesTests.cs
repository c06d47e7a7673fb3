using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Devices.WgTool;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>Devices through wg(8) as the Linux kernel module's backend: what each change runs, and how the dump reads.</summary>
public sealed class WgToolDevicesTests
{
    private static readonly WireGuardPrivateKey DeviceKey = WireGuardPrivateKey.Generate();
    private static readonly WireGuardPublicKey Existing = WireGuardPrivateKey.Generate().PublicKey;
    private static readonly string DumpCommand = "wg show wg7 dump";

    private static RecordingCommandRunner RunnerWithOnePeer() => new((file, arguments) =>
        arguments.SequenceEqual(["show", "wg7", "dump"])
            ? new CommandResult(0,
                $"{DeviceKey.RevealBase64()}\t{DeviceKey.PublicKey.ToBase64()}\t51820\toff\n" +
                $"{Existing.ToBase64()}\t(none)\t10.0.0.9:51820\t10.77.0.9/32\t1700000000\t100\t200\t25\n",
                string.Empty)
            : new CommandResult(0, string.Empty, string.Empty));

    private static WgToolDevices Backend(RecordingCommandRunner runner, bool kernelHasWireGuard = true) =>
        new(runner, "wg", WireGuardBackendKind.LinuxKernel, () => kernelHasWireGuard);

    [Fact]
    public async Task Adding_a_peer_with_its_allowed_ips_runs_one_wg_set_and_reads_nothing()
    {
        var runner = RunnerWithOnePeer();
        var added = WireGuardPrivateKey.Generate().PublicKey;

        await Backend(runner).ConfigureDeviceAsync("wg7", new DeviceConfig
        {
            Peers = [new PeerConfig(added) { ReplaceAllowedIps = true, AllowedIps = [IpPrefix.Parse("10.77.0.3/32")] }],
        }, CancellationToken.None);

        Assert.Equal([$"wg set wg7 peer {added.ToBase64()} allowed-ips 10.77.0.3/32"], runner.Commands);
    }

    [Fact]
    public async Task Removing_a_peer_or_setting_the_port_reads_nothing()
    {
        var runner = RunnerWithOnePeer();

        await Backend(runner).ConfigureDeviceAsync("wg7", new DeviceConfig
        {
            ListenPort = 51999,
            Peers = [PeerConfig.Removal(Existing)],
        }, CancellationToken.None);

        Assert.Equal([$"wg set wg7 listen-port 51999 peer {Existing.ToBase64()} remove"], runner.Commands);
    }

    [Fact]
    public async Task Adding_allowed_ips_to_an_existing_peer_keeps_the_ones_it_had()
    {
        // The installed wg cannot add without replacing, so this one case reads the dump first.
        var runner = RunnerWithOnePeer();

        await Backend(runner).ConfigureDeviceAsync("wg7", new DeviceConfig
        {
            Peers = [new PeerConfig(Existing) { AllowedIps = [IpPrefix.Parse("10.78.0.0/24")] }],
        }, CancellationToken.None);

        Assert.Equal([DumpCommand, $"wg set wg7 peer {Existing.ToBase64()} allowed-ips 10.77.0.9/32,10.78.0.0/24"], runner.Commands);
    }

    [Fact]
    public async Task Replacing_peers_reads_the_dump_and_removes_those_not_named()
    {
        var runner = RunnerWithOnePeer();
        var kept = WireGuardPrivateKey.Generate().PublicKey;

        await Backend(runner).ConfigureDeviceAsync("wg7", new DeviceConfig
        {
            ReplacePeers = true,
            Peers = [new PeerConfig(kept) { ReplaceAllowedIps = true, AllowedIps = [IpPrefix.Parse("10.77.0.4/32")] }],
        }, CancellationToken.None);

        Assert.Equal(
            [DumpCommand, $"wg set wg7 peer {Existing.ToBase64()} remove peer {kept.ToBase64()} allowed-ips 10.77.0.4/32"],
            runner.Commands);
    }

    [Fact]
    public async Task Update_only_reads_the_dump_and_skips_a_peer_the_device_does_not_have()
    {
        var runner = RunnerWithOnePeer();
        var missing = WireGuardPrivateKey.Generate().PublicKey;

        await Backend(runner).ConfigureDeviceAsync("wg7", new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(missing) { UpdateOnly = true, PersistentKeepalive = TimeSpan.FromSeconds(5) },
                new PeerConfig(Existing) { UpdateOnly = true, PersistentKeepalive = TimeSpan.FromSeconds(5) },
            ],
        }, CancellationToken.None);

        Assert.Equal([DumpCommand, $"wg set wg7 peer {Existing.ToBase64()} persistent-keepalive 5"], runner.Commands);
    }

    [Fact]
    public async Task A_firewall_mark_above_int_max_is_passed_to_wg_set_as_a_u32()
    {
        var runner = RunnerWithOnePeer();

        await Backend(runner).ConfigureDeviceAsync("wg7", new DeviceConfig { FirewallMark = uint.MaxValue }, CancellationToken.None);

        Assert.Equal(["wg set wg7 fwmark 4294967295"], runner.Commands);
    }

    [Fact]
    public async Task A_private_key_goes_through_a_0600_file_that_is_gone_afterwards()
    {
        var runner = RunnerWithOnePeer();
        using var newKey = WireGuardPrivateKey.Generate();

        await Backend(runner).ConfigureDeviceAsync("wg7", new DeviceConfig { PrivateKey = newKey }, CancellationToken.None);

        var set = Assert.Single(runner.Commands, c => c.StartsWith("wg set", StringComparison.Ordinal));
        Assert.DoesNotContain(newKey.RevealBase64(), set);
        var (path, content) = Assert.Single(runner.FilesSeen);
        Assert.Equal(newKey.RevealBase64(), content);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task With_the_kernel_module_a_failing_wg_is_an_error_not_an_empty_list()
    {
        var runner = new RecordingCommandRunner((_, _) => new CommandResult(1, string.Empty, "Unable to access interface: Operation not permitted"));

        var error = await Assert.ThrowsAsync<SystemCommandException>(() => Backend(runner).ListDevicesAsync(CancellationToken.None));

        Assert.Contains("Operation not permitted", error.Message);
    }

    [Fact]
    public void The_dump_of_wg_show_is_read_into_live_state()
    {
        var dump = $"{DeviceKey.RevealBase64()}\t{DeviceKey.PublicKey.ToBase64()}\t51820\toff\n" +
                   $"{Existing.ToBase64()}\t(none)\t(none)\t(none)\t0\t0\t0\toff\n";
        var device = WgDumpParser.Parse("wg7", dump, WireGuardBackendKind.LinuxKernel);
        Assert.Equal(DeviceKey.PublicKey, device.PublicKey);
        Assert.Equal(51820, device.ListenPort);
        Assert.Equal(0u, device.FirewallMark);
        var peer = Assert.Single(device.Peers);
        Assert.Null(peer.Endpoint);
        Assert.Null(peer.LastHandshake);
        Assert.Empty(peer.AllowedIps);
        Assert.Equal(TimeSpan.Zero, peer.PersistentKeepalive);
    }

    [Theory]
    [InlineData("off", 0u)]
    [InlineData("0x1234", 0x1234u)]
    [InlineData("0xffffffff", uint.MaxValue)]
    [InlineData("51820", 51820u)]
    public void The_dump_fwmark_is_read_as_wg_prints_it(string printed, uint mark)
    {
        var dump = $"(none)\t(none)\t0\t{printed}\n";
        Assert.Equal(mark, WgDumpParser.Parse("wg7", dump, WireGuardBackendKind.LinuxKernel).FirewallMark);
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("-1")]
    [InlineData("0x100000000")]
    public void A_fwmark_wg_would_never_print_is_a_format_error(string printed) =>
        Assert.Throws<FormatException>(() => WgDumpParser.Parse("wg7", $"(none)\t(none)\t0\t{printed}\n", WireGuardBackendKind.LinuxKernel));
}
