using ImpVpn.Core.Buying;

namespace ImpVpn.Daemon;

/// <summary>The <c>refreshed</c> event: what the refresh really cost and added, read from the contract before and
/// after it, not the client's ceiling or the configured duration (a seller may ask less than the ceiling, and a
/// refresh an earlier run began is finished on its own terms).</summary>
internal static class ApiRefreshedEvent
{
    public static ApiEvent From(string id, BoughtContract before, BoughtContract refreshed, TimeSpan asked)
    {
        // A contract's PriceSat is its purchase price plus every refresh's price; its expiry moves by what was added.
        var price = refreshed.PriceSat - before.PriceSat;
        var added = refreshed.ExpiresAt - before.ExpiresAt;
        return new ApiEvent
        {
            Kind = ApiEvent.Refreshed, Id = id, PubKey = refreshed.SellerPubKey, ContractId = refreshed.Id, TunnelAddress = refreshed.BuyerTunnelAddress,
            ExpiresAt = refreshed.ExpiresAt, Duration = added > TimeSpan.Zero ? added : asked, PriceSat = price,
        };
    }
}
