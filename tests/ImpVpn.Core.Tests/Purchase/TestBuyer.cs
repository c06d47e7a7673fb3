using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>The buyer's behaviours as the tests drive them: one object over <see cref="Buyer"/>, so a test reads as
/// the user's sequence (quote, confirm, refresh, resume) rather than as wiring.</summary>
internal sealed class TestBuyer(ILightningNode node, BoughtContracts contracts, WireGuardHost? wireGuard) : IAsyncDisposable
{
    private readonly Buyer _buyer = new(node, contracts, wireGuard);

    public BoughtContracts Contracts => contracts;

    public Task<VpnQuote> RequestQuoteAsync(string sellerPubKey, TimeSpan duration, TimeSpan replyTimeout, CancellationToken cancellationToken, string? sellerAddress = null) =>
        _buyer.Quotes.RequestAsync(new SellerNode(sellerPubKey, sellerAddress), duration, replyTimeout, cancellationToken);

    public Task<VpnQuote> RequestQuoteAsync(string sellerPubKey, TimeSpan duration, TunnelOffer offer, TimeSpan replyTimeout, CancellationToken cancellationToken) =>
        _buyer.Quotes.RequestAsync(new SellerNode(sellerPubKey, null), duration, offer, replyTimeout, cancellationToken);

    public Task<SellerOffer> RequestOfferAsync(string sellerPubKey, TimeSpan replyTimeout, CancellationToken cancellationToken) =>
        _buyer.Offers.RequestAsync(new SellerNode(sellerPubKey, null), replyTimeout, cancellationToken);

    public Task<BoughtContract> ConfirmAsync(VpnQuote quote, BuyerOptions options, CancellationToken cancellationToken) =>
        _buyer.Purchase.ConfirmAsync(quote, options, cancellationToken);

    public Task<BoughtContract> ResumeAsync(string id, BuyerOptions options, CancellationToken cancellationToken) =>
        _buyer.Purchase.ResumeAsync(id, options, cancellationToken);

    public Task<BoughtContract> RefreshAsync(string id, TimeSpan duration, BuyerOptions options, CancellationToken cancellationToken) =>
        _buyer.Refresh.RefreshAsync(id, duration, options, cancellationToken);

    public Task<IReadOnlyList<RefreshOutcome>> RefreshDueAsync(TimeSpan window, TimeSpan duration, RefreshBudget budget, BuyerOptions options, CancellationToken cancellationToken) =>
        _buyer.ScheduledRefresh.RunAsync(contracts.DueForRefresh(DateTimeOffset.UtcNow, window), window, duration, budget, options, cancellationToken);

    public IReadOnlyList<BoughtContract> List() => contracts.All();

    public ValueTask DisposeAsync() => _buyer.DisposeAsync();
}
