using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>The buyer's behaviours wired over one node, one store and (optionally) one WireGuard client, sharing
/// one line to sellers. Holds no logic of its own: each behaviour is in the file named after it.</summary>
public sealed class Buyer : IAsyncDisposable
{
    private readonly SellerLink _link;

    /// <param name="wireGuard">null to set up no interface (config-only purchases, refreshes, quotes).</param>
    public Buyer(ILightningNode node, BoughtContracts contracts, WireGuardHost? wireGuard, IProgressLog? log = null)
    {
        log ??= NullProgressLog.Instance;
        _link = new SellerLink(node, log);
        Contracts = contracts;
        Offers = new SellerOffers(_link, log);
        Quotes = new SellerQuotes(_link, Offers, log);
        Discovery = new SellerDiscovery(node, Offers, log);
        var setup = wireGuard is null ? null : new TunnelSetup(wireGuard, contracts, log, node);
        Purchase = new TunnelPurchase(node, _link, contracts, setup, log);
        Refresh = new TunnelRefresh(node, _link, contracts, setup, log);
        ScheduledRefresh = new ScheduledRefresh(Refresh, contracts, log);
    }

    public BoughtContracts Contracts { get; }

    public SellerQuotes Quotes { get; }

    /// <summary>What a seller sells (impvpn.v1.offer), checked.</summary>
    public SellerOffers Offers { get; }

    /// <summary>Sellers found in the graph and among peers, with their offers.</summary>
    public SellerDiscovery Discovery { get; }

    public TunnelPurchase Purchase { get; }

    public TunnelRefresh Refresh { get; }

    public ScheduledRefresh ScheduledRefresh { get; }

    public ValueTask DisposeAsync() => _link.DisposeAsync();
}
