using System.Net;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>A seller configured to sell exits: it refuses to start where it could not deliver them (each refusal
/// naming its setting), and otherwise hands its firewall the exit's rules.</summary>
public sealed class SellerExitOptionsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly SellerOptions Exit = new()
    {
        InterfaceName = "ivs-ex",
        Endpoint = "192.0.2.1:51820",
        SoldModes = [TunnelMode.NodeToNode, TunnelMode.Exit],
        EgressInterface = "eth0",
        Resolvers = ["9.9.9.9"],
    };

    public static TheoryData<string, string> Refusals => new()
    {
        { "no egress", nameof(SellerOptions.EgressInterface) },
        { "bad egress name", nameof(SellerOptions.EgressInterface) },
        { "egress is the tunnel", nameof(SellerOptions.EgressInterface) },
        { "config only", nameof(SellerOptions.ConfigOnly) },
        { "no firewall", nameof(SellerOptions.ManageFirewall) },
        { "no resolvers", nameof(SellerOptions.Resolvers) },
        { "resolver of the other family", nameof(SellerOptions.Resolvers) },
        { "resolver is a name", nameof(SellerOptions.Resolvers) },
        { "resolver with a port", nameof(SellerOptions.Resolvers) },
        { "resolver is loopback", nameof(SellerOptions.Resolvers) },
        { "more resolvers than buyers take", nameof(SellerOptions.Resolvers) },
        { "refused destination with a scope", nameof(SellerOptions.RefusedDestinations) },
    };

    private static SellerOptions Case(string name) => name switch
    {
        "no egress" => Exit with { EgressInterface = null },
        "bad egress name" => Exit with { EgressInterface = "eth0;flush" },
        "egress is the tunnel" => Exit with { EgressInterface = "ivs-ex" },
        "config only" => Exit with { ConfigOnly = true },
        "no firewall" => Exit with { ManageFirewall = false },
        "no resolvers" => Exit with { Resolvers = [] },
        "resolver of the other family" => Exit with { Resolvers = ["2001:db8::53"] },
        "resolver is a name" => Exit with { Resolvers = ["dns.quad9.net"] },
        "resolver with a port" => Exit with { Resolvers = ["9.9.9.9:53"] },
        "resolver is loopback" => Exit with { Resolvers = ["127.0.0.53"] },
        "more resolvers than buyers take" => Exit with { Resolvers = ["9.9.9.9", "1.1.1.1", "8.8.8.8", "9.9.9.10"] },
        "refused destination with a scope" => Exit with { RefusedDestinations = [new IpPrefix(IPAddress.Parse("fe80::1%2"), 64)] },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void An_exit_the_seller_cannot_deliver_is_refused_naming_its_setting(string name, string setting)
    {
        var e = Assert.Throws<SellerExitException>(() => SellerExitCheck.Check(Case(name)));
        Assert.Equal(setting, e.Setting);
    }

    [Fact]
    public void A_seller_that_sells_no_exit_is_not_held_to_the_exits_settings_and_a_good_exit_passes()
    {
        SellerExitCheck.Check(Exit with { SoldModes = [TunnelMode.NodeToNode], EgressInterface = null, Resolvers = [], ConfigOnly = true });
        SellerExitCheck.Check(Exit);
        SellerExitCheck.Check(Exit with { Subnet = IpPrefix.Parse("fd00:77::/64"), Resolvers = ["fd00:77::1", "2001:DB8::53"], IPv6Exit = IPv6Exit.Routed });
    }

    [Fact]
    public async Task A_refused_exit_stops_the_seller_before_anything_is_touched_and_frees_the_store()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();

        await Assert.ThrowsAsync<SellerExitException>(() => net.StartSellerAsync(wireGuard, Exit with { Resolvers = [] }));

        Assert.Empty(wireGuard.FirewallApplied);
        Assert.Empty(await wireGuard.ListDevicesAsync(None));
        await using var next = new VpnSeller(net.BobNode, new RecordingWireGuard(), net.SellerStore, Exit);
        await next.StartAsync(None);
    }

    [Fact]
    public async Task An_egress_interface_that_does_not_exist_is_refused_before_the_tunnel_interface_is_made()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();

        var e = await Assert.ThrowsAsync<SellerExitException>(() => net.StartSellerAsync(wireGuard, Exit with { EgressInterface = "eth9" }));

        Assert.Equal(nameof(SellerOptions.EgressInterface), e.Setting);
        Assert.Contains("eth9", e.Message, StringComparison.Ordinal);
        Assert.Empty(await wireGuard.ListDevicesAsync(None));
    }

    [Fact]
    public async Task A_seller_of_exits_hands_the_firewall_the_exit_and_logs_what_it_changed_on_the_host()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard { HostChangesSaid = ["net.ipv4.ip_forward turned on (it was off)"] };
        var log = new RecordingLog();
        var options = Exit with { Resolvers = ["10.77.0.1", "9.9.9.9"], RefusedDestinations = [IpPrefix.Parse("192.0.2.0/24")] };

        await using var seller = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, options, log);
        await seller.StartAsync(None);

        var (rules, _) = Assert.Single(wireGuard.FirewallApplied);
        var exit = Assert.IsType<SellerExitRules>(rules.Exit);
        Assert.Equal("eth0", exit.EgressInterfaceName);
        Assert.Equal([IpPrefix.Parse("192.0.2.0/24")], exit.RefusedDestinations);
        Assert.True(exit.ResolverOnTunnelAddress, "10.77.0.1 is the seller's tunnel address: DNS is opened there");
        Assert.Contains(log.Lines, l => l.Message.Contains("ip_forward turned on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Public_resolvers_open_nothing_on_the_seller_and_a_node_to_node_seller_has_no_exit()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var exitSeller = new RecordingWireGuard();
        await net.StartSellerAsync(exitSeller, Exit);
        Assert.False(Assert.Single(exitSeller.FirewallApplied).Rules.Exit!.ResolverOnTunnelAddress);

        await using var other = await PurchaseNetwork.StartAsync();
        var plain = new RecordingWireGuard();
        await other.StartSellerAsync(plain, Exit with { SoldModes = [TunnelMode.NodeToNode] });
        Assert.Null(Assert.Single(plain.FirewallApplied).Rules.Exit);
    }
}
