using System.Net;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>The seller closes its host to buyers before it makes its interface or answers anyone, and does not start
/// where it cannot, unless told the host is guarded otherwise.</summary>
public sealed class SellerFirewallTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SellerOptions Options = new() { InterfaceName = "ivs-fw", Endpoint = "192.0.2.1:51820" };

    [Fact]
    public async Task The_firewall_goes_up_before_the_interface_with_the_sellers_address_and_by_default_only_the_lightning_port()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();

        await net.StartSellerAsync(wireGuard, Options);

        var (rules, interfaceExisted) = Assert.Single(wireGuard.FirewallApplied);
        Assert.False(interfaceExisted, "the interface is made only once it is closed");
        Assert.Equal("ivs-fw", rules.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.77.0.1"), rules.SellerTunnelAddress);
        Assert.Equal([9735], rules.AllowedTcpPorts);
        Assert.False(rules.AllowBuyerToBuyer);
        Assert.Contains("ivs-fw", await wireGuard.ListDevicesAsync(None));
    }

    [Fact]
    public async Task The_sellers_ports_and_buyer_to_buyer_choice_reach_the_firewall()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();

        await net.StartSellerAsync(wireGuard, Options with { AllowedPorts = [9735, 10009], AllowBuyerToBuyer = true, Subnet = IpPrefix.Parse("10.99.0.0/24") });

        var (rules, _) = Assert.Single(wireGuard.FirewallApplied);
        Assert.Equal([9735, 10009], rules.AllowedTcpPorts);
        Assert.True(rules.AllowBuyerToBuyer);
        Assert.Equal(IPAddress.Parse("10.99.0.1"), rules.SellerTunnelAddress);
    }

    [Fact]
    public async Task A_firewall_that_fails_stops_the_seller_before_its_interface_exists_and_frees_the_store()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var failing = new RecordingWireGuard { FailFirewall = true };

        var e = await Assert.ThrowsAsync<SellerFirewallException>(() => net.StartSellerAsync(failing, Options));

        Assert.False(e.Unavailable);
        Assert.Empty(await failing.ListDevicesAsync(None));
        // The seller's role on the store was given back: a seller that can close its host starts on it.
        await using var next = new VpnSeller(net.BobNode, new RecordingWireGuard(), net.SellerStore, Options);
        await next.StartAsync(None);
    }

    [Fact]
    public async Task A_host_without_a_firewall_is_refused_as_unavailable()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var recording = new RecordingWireGuard();

        var e = await Assert.ThrowsAsync<SellerFirewallException>(() => net.StartSellerAsync(new WireGuardHost(recording, recording), Options));

        Assert.True(e.Unavailable);
        Assert.Equal("ivs-fw", e.InterfaceName);
        Assert.Empty(await recording.ListDevicesAsync(None));
    }

    [Fact]
    public async Task Told_the_host_is_guarded_otherwise_the_seller_starts_without_a_firewall_and_says_what_is_open()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var recording = new RecordingWireGuard();
        var log = new RecordingLog();

        await using var seller = new VpnSeller(net.BobNode, new WireGuardHost(recording, recording), net.SellerStore, Options with { ManageFirewall = false }, log);
        await seller.StartAsync(None);

        Assert.Empty(recording.FirewallApplied);
        Assert.Contains(log.Warnings, w => w.Contains("not filtered", StringComparison.Ordinal) && w.Contains("ivs-fw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_config_only_seller_has_no_interface_to_close()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        var log = new RecordingLog();

        await using var seller = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, Options with { ConfigOnly = true }, log);
        await seller.StartAsync(None);

        Assert.Empty(wireGuard.FirewallApplied);
        Assert.DoesNotContain(log.Lines, l => l.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Ports_outside_1_to_65535_stop_the_seller_before_anything_is_touched()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => net.StartSellerAsync(wireGuard, Options with { AllowedPorts = [0] }));

        Assert.Empty(wireGuard.FirewallApplied);
        Assert.Empty(await wireGuard.ListDevicesAsync(None));
    }
}
