using System.Net;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>
/// A seller fails closed: each paid buyer is admitted by the firewall until its contract's expiry (so the filter,
/// not the seller's process, ends access), the admission follows refreshes, a restart keeps only the peers of
/// active contracts, and a seller stopped for good (or one that cannot leave expiry to the firewall) leaves no
/// interface or firewall behind. On a recording WireGuard; <see cref="RealTunnelFailClosedTests"/> does it with real
/// packets.
/// </summary>
public sealed class SellerFailClosedTests
{
    private const string Interface = "ivs-closed";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SellerOptions Options = new() { InterfaceName = Interface, Endpoint = "192.0.2.1:51820" };
    private static readonly BuyerOptions ConfigOnly = new() { ConfigOnly = true };

    [Fact]
    public async Task A_paid_buyer_is_admitted_until_its_expiry_and_a_refresh_lengthens_the_admission()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var wireGuard = new RecordingWireGuard();
        await net.StartSellerAsync(wireGuard, Options, clock: clock);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        var address = IPAddress.Parse(contract.BuyerTunnelAddress.Split('/')[0]);

        Assert.Equal(contract.ExpiresAt!.Value - clock.GetUtcNow(), wireGuard.Admitted[address]);

        clock.Advance(TimeSpan.FromMinutes(10));
        var refreshed = await buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(30), new BuyerOptions(), None);
        Assert.Equal(refreshed.ExpiresAt!.Value - clock.GetUtcNow(), wireGuard.Admitted[address]);
        // 60 minutes bought, 10 gone, 30 more: expiries travel in whole seconds, so up to one less.
        Assert.InRange(wireGuard.Admitted[address], TimeSpan.FromMinutes(80) - TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(80));
    }

    [Fact]
    public async Task Until_the_buyer_claims_it_is_admitted_only_until_the_claim_deadline()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var wireGuard = new RecordingWireGuard();
        TimeSpan? whenAdded = null;
        wireGuard.OnPeerAdded = () => whenAdded = wireGuard.Admitted.Values.Single();
        await net.StartSellerAsync(wireGuard, Options, clock: clock);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        // Admitted before the peer was added, for the claim window only (a buyer that never claims is refunded).
        Assert.InRange(whenAdded!.Value, Options.ClaimWindow - TimeSpan.FromSeconds(1), Options.ClaimWindow);
        Assert.Equal(contract.ExpiresAt!.Value - clock.GetUtcNow(), wireGuard.Admitted.Values.Single());
    }

    [Fact]
    public async Task A_claim_the_firewall_cannot_honour_settles_nothing()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        var seller = await net.StartSellerAsync(wireGuard, Options);
        wireGuard.OnPeerAdded = () => wireGuard.FailAdmissions = true;
        await using var buyer = net.Buyer(null);

        await Assert.ThrowsAnyAsync<Exception>(async () => await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None));

        var sold = Assert.Single(seller.Contracts.Live);
        Assert.True(sold.AwaitsClaim);
        Assert.False(sold.InvoiceSettled);
    }

    [Fact]
    public async Task The_expiry_round_removes_the_peer_and_ends_its_admission()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var wireGuard = new RecordingWireGuard();
        var seller = await net.StartSellerAsync(wireGuard, Options, clock: clock);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        Assert.Single(wireGuard.Admitted);

        clock.Advance(TimeSpan.FromSeconds(61));
        await seller.ExpireAsync(None);

        Assert.Empty(wireGuard.PeersOf(Interface));
        Assert.Empty(wireGuard.Admitted);
        Assert.Equal(SoldContractState.Expired, net.SellerStore.SoldContract(contract.Id)?.State ?? SoldContractState.Expired);
    }

    [Fact]
    public async Task A_restart_keeps_the_paid_peers_removes_every_other_and_admits_the_paid_ones_again()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var first = await net.StartSellerAsync(new RecordingWireGuard(), Options);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        await first.DisposeAsync();

        // What the interface holds when the seller comes back: the paid peer, and one no contract pays for (its
        // contract archived meanwhile, or a peer someone added by hand).
        var wireGuard = new RecordingWireGuard();
        using var strayKey = WireGuardPrivateKey.Generate();
        await wireGuard.CreateInterfaceAsync(Interface, new InterfaceOptions(), None);
        await wireGuard.ConfigureDeviceAsync(Interface, new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey)) { AllowedIps = [IpPrefix.Parse(contract.BuyerTunnelAddress)] },
                new PeerConfig(strayKey.PublicKey) { AllowedIps = [IpPrefix.Parse("10.77.0.200/32")] },
            ],
        }, None);
        await using var second = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, Options);
        await second.StartAsync(None);

        Assert.Equal(contract.BuyerWireGuardKey, Assert.Single(wireGuard.PeersOf(Interface)).PublicKey.ToBase64());
        // Admitted by the very step that applied the firewall: never out of the set while the seller starts.
        Assert.Equal(IPAddress.Parse(contract.BuyerTunnelAddress.Split('/')[0]), Assert.Single(wireGuard.AdmittedWhenApplied).BuyerTunnelAddress);
        var admitted = Assert.Single(wireGuard.Admitted);
        Assert.Equal(IPAddress.Parse(contract.BuyerTunnelAddress.Split('/')[0]), admitted.Key);
        Assert.InRange(admitted.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task A_seller_stopped_with_its_firewall_in_place_leaves_the_interface_and_peers_for_the_firewall_to_guard()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        var seller = await net.StartSellerAsync(wireGuard, Options);
        await using var buyer = net.Buyer(null);
        await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        await seller.StopAsync(None);

        Assert.Single(wireGuard.PeersOf(Interface));
        Assert.Single(wireGuard.Admitted);
        Assert.Empty(wireGuard.FirewallRemoved);
        using var released = net.SellerStore.HoldRole("seller");
    }

    [Fact]
    public async Task A_seller_asked_to_withdraw_leaves_no_interface_peer_or_firewall_and_a_later_start_puts_the_paid_peer_back()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        var seller = await net.StartSellerAsync(wireGuard, Options);
        await using var buyer = net.Buyer(null);
        var contract = await buyer.ConfirmAsync(
            await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);

        seller.RequestStop(withdraw: true);
        await seller.StopAsync(None);

        Assert.Null(await wireGuard.GetDeviceAsync(Interface, None));
        Assert.Equal([Interface], wireGuard.FirewallRemoved);
        Assert.Empty(wireGuard.Admitted);
        Assert.Equal(SoldContractState.Active, net.SellerStore.SoldContract(contract.Id)!.State);

        await using var again = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, Options);
        await again.StartAsync(None);
        Assert.Equal(contract.BuyerWireGuardKey, Assert.Single(wireGuard.PeersOf(Interface)).PublicKey.ToBase64());
    }

    [Fact]
    public async Task A_seller_that_does_not_manage_the_firewall_removes_its_interface_when_it_stops()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        var log = new RecordingLog();
        await using var seller = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, Options with { ManageFirewall = false }, log);
        var running = seller.RunAsync(CancellationToken.None);
        await log.SeenAsync("Selling tunnels on").WaitAsync(TimeSpan.FromSeconds(30));
        await using var buyer = net.Buyer(null);
        await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        Assert.Single(wireGuard.PeersOf(Interface));
        Assert.Empty(wireGuard.Admitted);

        seller.RequestStop(withdraw: false);
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(await wireGuard.GetDeviceAsync(Interface, None));
        Assert.Contains(log.Warnings, w => w.Contains("is removed", StringComparison.Ordinal));
        using var released = net.SellerStore.HoldRole("seller");
    }
}
