using ImpVpn.Core.WireGuard;
using ImpVpn.Core.WireGuard.Keys;
using ImpVpn.Core.WireGuard.Linux;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class KernelBackendTests
{
    private static readonly WireGuardPrivateKey DeviceKey = WireGuardPrivateKey.Generate();
    private static readonly WireGuardPublicKey Existing = WireGuardPrivateKey.Generate().PublicKey;

    private static RecordingCommandRunner RunnerWithOnePeer() => new((file, arguments) =>
        arguments.SequenceEqual(["show", "wg7", "dump"])
            ? new CommandResult(0,
                $"{DeviceKey.RevealBase64()}\t{DeviceKey.PublicKey.ToBase64()}\t51820\toff\n" +
                $"{Existing.ToBase64()}\t(none)\t10.0.0.9:51820\t10.77.0.9/32\t1700000000\t100\t200\t25\n",
                string.Empty)
            : new CommandResult(0, string.Empty, string.Empty));

    [Fact]
    public async Task Adding_a_peer_runs_one_wg_set_naming_only_that_peer()
    {
        var runner = RunnerWithOnePeer();
        var backend = new KernelBackend(runner, new LinuxLinkCommands(runner, LinuxNetworkContext.Current), LinuxNetworkContext.Current);
        var added = WireGuardPrivateKey.Generate().PublicKey;

        await backend.ConfigureDeviceAsync("wg7", new DeviceConfig
        {
            Peers = [new PeerConfig(added) { AllowedIps = [IpPrefix.Parse("10.77.0.3/32")] }],
        }, CancellationToken.None);

        var set = Assert.Single(runner.Commands, c => c.StartsWith("wg set", StringComparison.Ordinal));
        Assert.Equal($"wg set wg7 peer {added.ToBase64()} allowed-ips 10.77.0.3/32", set);
    }

    [Fact]
    public async Task Adding_allowed_ips_to_an_existing_peer_keeps_the_ones_it_had()
    {
        var runner = RunnerWithOnePeer();
        var backend = new KernelBackend(runner, new LinuxLinkCommands(runner, LinuxNetworkContext.Current), LinuxNetworkContext.Current);

        await backend.ConfigureDeviceAsync("wg7", new DeviceConfig
        {
            Peers = [new PeerConfig(Existing) { AllowedIps = [IpPrefix.Parse("10.78.0.0/24")] }],
        }, CancellationToken.None);

        Assert.Contains($"wg set wg7 peer {Existing.ToBase64()} allowed-ips 10.77.0.9/32,10.78.0.0/24", runner.Commands);
    }

    [Fact]
    public async Task A_private_key_goes_through_a_0600_file_that_is_gone_afterwards()
    {
        var runner = RunnerWithOnePeer();
        var backend = new KernelBackend(runner, new LinuxLinkCommands(runner, LinuxNetworkContext.Current), LinuxNetworkContext.Current);
        using var newKey = WireGuardPrivateKey.Generate();

        await backend.ConfigureDeviceAsync("wg7", new DeviceConfig { PrivateKey = newKey }, CancellationToken.None);

        var set = Assert.Single(runner.Commands, c => c.StartsWith("wg set", StringComparison.Ordinal));
        Assert.DoesNotContain(newKey.RevealBase64(), set);
        var (path, content) = Assert.Single(runner.FilesSeen);
        Assert.Equal(newKey.RevealBase64(), content);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Commands_in_a_namespace_run_through_ip_netns_exec()
    {
        var runner = RunnerWithOnePeer();
        var context = new LinuxNetworkContext("ns1");
        var backend = new KernelBackend(runner, new LinuxLinkCommands(runner, context), context);

        await backend.SetMtuAsync("wg7", 1380, CancellationToken.None);

        Assert.Equal(["ip netns exec ns1 ip link set dev wg7 mtu 1380"], runner.Commands);
    }

    [Fact]
    public void The_dump_of_wg_show_is_read_into_live_state()
    {
        var dump = $"{DeviceKey.RevealBase64()}\t{DeviceKey.PublicKey.ToBase64()}\t51820\toff\n" +
                   $"{Existing.ToBase64()}\t(none)\t(none)\t(none)\t0\t0\t0\toff\n";
        var device = WgDumpParser.Parse("wg7", dump);
        Assert.Equal(DeviceKey.PublicKey, device.PublicKey);
        Assert.Equal(51820, device.ListenPort);
        var peer = Assert.Single(device.Peers);
        Assert.Null(peer.Endpoint);
        Assert.Null(peer.LastHandshake);
        Assert.Empty(peer.AllowedIps);
        Assert.Equal(TimeSpan.Zero, peer.PersistentKeepalive);
    }
}
