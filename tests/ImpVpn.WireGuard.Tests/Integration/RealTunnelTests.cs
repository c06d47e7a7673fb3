using System.Net;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.WireGuard.Tests.Integration;

/// <summary>Real packets through a tunnel that only ImpVpn's own code set up, between two network namespaces,
/// on the userspace backend (this kernel has no WireGuard module).</summary>
[Collection("real tunnels")]
public sealed class RealTunnelTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [SkippableFact]
    public async Task Packets_cross_the_tunnel_live_state_reads_back_and_removing_the_peer_stops_traffic()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        var clientA = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var clientB = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        using var keyA = WireGuardPrivateKey.Generate();
        using var keyB = WireGuardPrivateKey.Generate();
        string wgA = "ivtA" + pair.Tag, wgB = "ivtB" + pair.Tag;

        try
        {
            await clientA.Links.CreateInterfaceAsync(wgA, new InterfaceOptions { PrivateKey = keyA, ListenPort = 51820, Addresses = [IpPrefix.Parse("10.200.0.1/24")] }, None);
            await clientB.Links.CreateInterfaceAsync(wgB, new InterfaceOptions { PrivateKey = keyB, ListenPort = 51821, Addresses = [IpPrefix.Parse("10.200.0.2/24")] }, None);
            await clientA.Devices.ConfigureDeviceAsync(wgA, new DeviceConfig
            {
                Peers = [new PeerConfig(keyB.PublicKey) { Endpoint = IPEndPoint.Parse(pair.UnderlayB + ":51821"), AllowedIps = [IpPrefix.Parse("10.200.0.2/32")] }],
            }, None);
            await clientB.Devices.ConfigureDeviceAsync(wgB, new DeviceConfig
            {
                Peers = [new PeerConfig(keyA.PublicKey) { Endpoint = IPEndPoint.Parse(pair.UnderlayA + ":51820"), AllowedIps = [IpPrefix.Parse("10.200.0.1/32")] }],
            }, None);

            Assert.True(NetworkNamespacePair.Ping(pair.A, "10.200.0.2", count: 3, waitSeconds: 2), "ping across the tunnel");

            var deviceA = await clientA.Devices.GetDeviceAsync(wgA, None);
            Assert.NotNull(deviceA);
            Assert.Equal(keyA.PublicKey, deviceA.PublicKey);
            Assert.Equal(51820, deviceA.ListenPort);
            Assert.Equal(WireGuardBackendKind.Userspace, deviceA.Backend);
            var peer = Assert.Single(deviceA.Peers);
            Assert.Equal(keyB.PublicKey, peer.PublicKey);
            Assert.NotNull(peer.LastHandshake);
            Assert.InRange(peer.LastHandshake.Value, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.True(peer.ReceiveBytes > 0 && peer.TransmitBytes > 0, $"rx {peer.ReceiveBytes}, tx {peer.TransmitBytes}");
            Assert.Equal(IPEndPoint.Parse(pair.UnderlayB + ":51821"), peer.Endpoint);
            Assert.Contains(wgA, await clientA.Devices.ListDevicesAsync(None));

            await clientA.Devices.ConfigureDeviceAsync(wgA, new DeviceConfig { Peers = [PeerConfig.Removal(keyB.PublicKey)] }, None);

            Assert.Empty((await clientA.Devices.GetDeviceAsync(wgA, None))!.Peers);
            Assert.False(NetworkNamespacePair.Ping(pair.A, "10.200.0.2", count: 2, waitSeconds: 1), "traffic must stop once the peer is removed");
            Assert.Single((await clientB.Devices.GetDeviceAsync(wgB, None))!.Peers);
        }
        finally
        {
            await clientA.Links.DeleteInterfaceAsync(wgA, None);
            await clientB.Links.DeleteInterfaceAsync(wgB, None);
        }

        Assert.Null(await clientA.Devices.GetDeviceAsync(wgA, None));
    }

    [SkippableFact]
    public async Task Changing_one_peer_leaves_every_other_peer_as_it_was_and_mtu_and_routes_apply()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        var client = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        using var key = WireGuardPrivateKey.Generate();
        var name = "ivtC" + pair.Tag;
        try
        {
            await client.Links.CreateInterfaceAsync(name, new InterfaceOptions { PrivateKey = key, Addresses = [IpPrefix.Parse("10.201.0.1/16")] }, None);
            var peers = Enumerable.Range(1, 50).Select(i => new PeerConfig(WireGuardPrivateKey.Generate().PublicKey)
            {
                AllowedIps = [IpPrefix.Parse($"10.201.{i / 200}.{(i % 200) + 2}/32")],
                PersistentKeepalive = TimeSpan.FromSeconds(25),
            }).ToList();
            await client.Devices.ConfigureDeviceAsync(name, new DeviceConfig { Peers = peers }, None);
            var before = (await client.Devices.GetDeviceAsync(name, None))!.Peers.ToDictionary(p => p.PublicKey);

            var changed = peers[10].PublicKey;
            await client.Devices.ConfigureDeviceAsync(name, new DeviceConfig
            {
                Peers = [new PeerConfig(changed) { UpdateOnly = true, ReplaceAllowedIps = true, AllowedIps = [IpPrefix.Parse("10.201.9.9/32")] }],
            }, None);
            var after = (await client.Devices.GetDeviceAsync(name, None))!.Peers.ToDictionary(p => p.PublicKey);

            await client.Links.SetMtuAsync(name, 1380, None);
            await client.Links.AddRouteAsync(name, IpPrefix.Parse("10.202.7.9/24"), None);
            Assert.Contains("mtu 1380", NetworkNamespacePair.Capture("ip", "-n", pair.A, "link", "show", "dev", name));
            Assert.Contains("10.202.7.0/24", NetworkNamespacePair.Capture("ip", "-n", pair.A, "route", "show", "dev", name));
            await client.Links.RemoveRouteAsync(name, IpPrefix.Parse("10.202.7.0/24"), None);
            Assert.DoesNotContain("10.202.7.0/24", NetworkNamespacePair.Capture("ip", "-n", pair.A, "route", "show", "dev", name));

            Assert.Equal(50, after.Count);
            Assert.Equal(["10.201.9.9/32"], after[changed].AllowedIps.Select(a => a.ToString()));
            foreach (var (publicKey, peer) in before.Where(p => !p.Key.Equals(changed)))
            {
                Assert.Equal(peer.AllowedIps, after[publicKey].AllowedIps);
                Assert.Equal(peer.PersistentKeepalive, after[publicKey].PersistentKeepalive);
            }
        }
        finally
        {
            await client.Links.DeleteInterfaceAsync(name, None);
        }
    }

    [SkippableFact]
    public void Prerequisites_report_nothing_missing_where_real_tunnels_run()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        Assert.Empty(WireGuardPrerequisites.Check());
    }

    [Fact]
    public void Prerequisites_name_each_missing_tool_with_how_to_get_it()
    {
        var missing = WireGuardPrerequisites.Check(commandExists: _ => false);
        Assert.Contains(missing, m => m.What.StartsWith("ip", StringComparison.Ordinal) && m.Remedy.Contains("iproute2"));
        Assert.Contains(missing, m => m.Remedy.Contains("wireguard"));
        var error = new WireGuardPrerequisiteException(missing);
        Assert.Contains("apt-get install", error.Message);
    }
}
