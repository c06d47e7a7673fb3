using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Tests.Purchase;

namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>
/// A seller that lies about one thing at a time, against a buyer with a WireGuard host of its own. For every lie the
/// buyer must refuse with the right error, lose nothing once the seller gives up (its invoices cancelled, as its
/// claim window or the payment's timeout would), leave no interface or route behind, and never tell the seller the
/// preimage: so a seller that settles after the buyer gave up cannot. Each attack is recorded in
/// <c>out/adversarial/hostile-seller.md</c>.
/// </summary>
public sealed class HostileSellerTests(HostileSellerReport report) : IClassFixture<HostileSellerReport>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly BuyerOptions Options = new()
    {
        MaxPriceSat = 10_000,
        ReplyTimeout = TimeSpan.FromSeconds(2),
        HandshakeTimeout = TimeSpan.FromMilliseconds(300),
    };

    [Theory]
    [InlineData(Lie.InvoiceAmount, PurchaseError.InvoiceMismatch)]
    [InlineData(Lie.InvoicePayee, PurchaseError.InvoiceMismatch)]
    [InlineData(Lie.InvoiceDescriptionHash, PurchaseError.InvoiceMismatch)]
    [InlineData(Lie.InvoiceForSellersHash, PurchaseError.InvoiceMismatch)]
    [InlineData(Lie.InvoiceFinalCltv, PurchaseError.InvoiceMismatch)]
    [InlineData(Lie.BuyerAddressLoopback, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.BuyerAddressOfThisMachine, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.ContractIdPath, PurchaseError.SellerRefused)]
    [InlineData(Lie.AllowedIpsDefaultRoute, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.AllowedIpsBuyersLan, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.EndpointLoopback, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.EndpointMulticast, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.EndpointWithNewline, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.SellerKeyMalformed, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.BuyerAddressChanged, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.ExpiryInThePast, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.ActivateWithheld, PurchaseError.ActivationFailed)]
    [InlineData(Lie.TunnelWithoutHandshake, PurchaseError.TunnelCheckFailed)]
    [InlineData(Lie.TunnelDropsPackets, PurchaseError.TunnelCheckFailed)]
    [InlineData(Lie.InvoiceCancelledButClaimAnswered, PurchaseError.PaymentFailed)]
    public async Task A_lie_in_a_purchase_costs_the_buyer_nothing_and_changes_nothing(Lie lie, PurchaseError expected)
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await using var carol = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(net.Simulation["carol"]), true, None);
        await using var seller = new HostileSeller(net, carol) { Lie = lie };
        var wireGuard = new RecordingWireGuard
        {
            TunnelsWork = lie != Lie.TunnelWithoutHandshake,
            EchoesAnswered = lie != Lie.TunnelDropsPackets,
        };
        await using var buyer = net.Buyer(wireGuard);
        var before = net.AliceMsat;
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.ConfirmAsync(quote, Options, None));

        var (lost, changes, learned) = await SettleTheScoreAsync(net, seller, wireGuard, before);
        report.Record($"purchase: {lie}", $"refused: {error.Error}{(learned ? " (claimed: the tunnel worked)" : ", preimage never revealed")}. {error.Message}", lost, changes);
        Assert.Equal(expected, error.Error);
        Assert.False(error.MoneyMoved);
        Assert.Equal(0, lost);
        Assert.Equal("none", changes);
        // Only a seller whose tunnel worked is told the preimage; this one had cancelled its invoice already, so the
        // preimage settles nothing.
        Assert.Equal(lie == Lie.InvoiceCancelledButClaimAnswered, learned);
        Assert.Equal(0, net.BobMsat);
    }

    [Fact]
    public async Task An_honest_seller_is_paid_exactly_once_for_a_working_tunnel()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await using var carol = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(net.Simulation["carol"]), true, None);
        await using var seller = new HostileSeller(net, carol);
        var wireGuard = new RecordingWireGuard();
        await using var buyer = net.Buyer(wireGuard);
        var before = net.AliceMsat;

        var bought = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), Options, None);

        report.Record("purchase: None (control)", $"bought contract {bought.Id}: tunnel up, echo answered, then claimed", 0, "the bought tunnel's interface and its route");
        Assert.Equal(BoughtContractState.Active, bought.State);
        Assert.Equal(HostileSeller.PriceSat * 1000, before - net.AliceMsat);
        Assert.Equal(HostileSeller.PriceSat * 1000, net.BobMsat);
        Assert.Single(await wireGuard.ListDevicesAsync(None));
        Assert.Contains(wireGuard.Echoes, name => name == bought.InterfaceName);
    }

    [Theory]
    [InlineData(Lie.RefreshForSellersHash, PurchaseError.InvoiceMismatch)]
    [InlineData(Lie.RefreshFinalCltv, PurchaseError.InvoiceMismatch)]
    [InlineData(Lie.RefreshTimeNotAdded, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.RefreshOtherTunnel, PurchaseError.SellerAnswerRefused)]
    [InlineData(Lie.RefreshActivateWithheld, PurchaseError.SellerUnreachable)]
    [InlineData(Lie.RefreshTunnelDropsPackets, PurchaseError.SellerAnswerRefused)]
    public async Task A_lie_in_a_refresh_costs_the_buyer_nothing(Lie lie, PurchaseError expected)
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await using var carol = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(net.Simulation["carol"]), true, None);
        await using var seller = new HostileSeller(net, carol);
        var wireGuard = new RecordingWireGuard();
        await using var buyer = net.Buyer(wireGuard);
        var bought = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), Options, None);
        var before = net.AliceMsat;
        seller.Lie = lie;
        wireGuard.EchoesAnswered = lie != Lie.RefreshTunnelDropsPackets;

        var error = await Assert.ThrowsAsync<PurchaseException>(() => buyer.RefreshAsync(bought.Id, TimeSpan.FromMinutes(30), Options, None));

        var (lost, _, learned) = await SettleTheScoreAsync(net, seller, wireGuard, before, keep: bought);
        var after = net.BoughtContracts.Get(bought.Id);
        var changes = after.ExpiresAt == bought.ExpiresAt && wireGuard.Routes.Count == 1 ? "none" : $"expiry {after.ExpiresAt:u}, {wireGuard.Routes.Count} routes";
        report.Record($"refresh: {lie}", $"refused: {error.Error}. {error.Message}", lost, changes);
        Assert.Equal(expected, error.Error);
        Assert.False(error.MoneyMoved);
        Assert.Equal(0, lost);
        Assert.Equal("none", changes);
        Assert.False(learned, "the seller learned the refresh's preimage");
        Assert.Equal(HostileSeller.PriceSat * 1000, net.BobMsat);
    }

    /// <summary>The seller gives up (cancels what it issued, as its claim window would); then: the sats the buyer is
    /// short of <paramref name="before"/> once its payments have ended, what is left on its machine, and whether any
    /// request the seller received held a preimage the buyer made.</summary>
    private static async Task<(long Lost, string Changes, bool SellerLearnedPreimage)> SettleTheScoreAsync(
        PurchaseNetwork net, HostileSeller seller, RecordingWireGuard wireGuard, long before, BoughtContract? keep = null)
    {
        await seller.CancelEverythingAsync();
        var secrets = new List<string>();
        foreach (var contract in net.BoughtContracts.All())
        {
            foreach (var (hash, preimage) in new[] { (contract.PaymentHash, contract.Preimage), (contract.RefreshBeingPaid?.PaymentHash, contract.RefreshBeingPaid?.Preimage) })
            {
                if (hash is not null)
                {
                    // Waits until the payment has ended (failed, once the seller cancelled): only then is the balance final.
                    await net.AliceNode.TrackPaymentAsync(Convert.FromHexString(hash), waitForFinal: true, None);
                }

                if (preimage is not null && contract.Id != keep?.Id)
                {
                    secrets.Add(preimage);
                }
                else if (preimage is not null && contract.RefreshBeingPaid?.Preimage == preimage)
                {
                    secrets.Add(preimage);
                }
            }
        }

        var devices = await wireGuard.ListDevicesAsync(None);
        var expectedDevices = keep is null ? 0 : 1;
        var changes = devices.Count == expectedDevices && wireGuard.Routes.Count == expectedDevices
            ? "none"
            : $"{devices.Count} interfaces, {wireGuard.Routes.Count} routes";
        var learned = seller.Received.Any(text => secrets.Any(secret => text.Contains(secret, StringComparison.OrdinalIgnoreCase)));
        return (before - net.AliceMsat, changes, learned);
    }
}
