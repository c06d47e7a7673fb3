using System.Text.Json;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>impvpn.v1.offer: the seller answers what its options say it sells, counts the asking peer's rate apart
/// from its quotes, and refuses a region label buyers would refuse.</summary>
public sealed class OfferDeskTests
{
    private const string Buyer = "02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static SellerOptions Options(string subnet = "10.77.0.0/24") => new()
    {
        InterfaceName = "ivs-offer",
        Endpoint = "192.0.2.1:51820",
        Subnet = IpPrefix.Parse(subnet),
        SoldModes = [TunnelMode.NodeToNode, TunnelMode.Exit],
        Pricing = new Pricing(1_200, TimeSpan.FromMinutes(10), TimeSpan.FromDays(7)),
        MaxActiveContracts = 50,
        QuotesPerPeerPerMinute = 3,
        Region = "eu-west 2",
    };

    private static QuoteDesk Desk(SellerOptions options, TimeProvider? clock = null) =>
        new(options, new QuotePromise(QuotePromise.NewSecret()), clock ?? TimeProvider.System, new RecordingLog());

    [Fact]
    public void The_offer_is_the_seller_s_options()
    {
        var offer = Desk(Options()).Offer(Buyer, activeContracts: 8);

        Assert.Equal(["node-to-node", "exit"], offer.Modes);
        Assert.Equal(["ipv4"], offer.AddressFamilies);
        Assert.Equal(1_200, offer.PricePerHourSat);
        Assert.Equal(600, offer.MinimumDurationSeconds);
        Assert.Equal(7 * 24 * 3600, offer.MaximumDurationSeconds);
        Assert.Equal("eu-west 2", offer.Region);
        Assert.Equal(42, offer.CapacityLeft);
        Assert.Equal([1, 2], offer.ProtocolVersions);
    }

    [Fact]
    public void An_ipv6_seller_offers_ipv6_and_no_region_is_null_and_capacity_never_goes_below_zero()
    {
        var offer = Desk(Options("fd77::/120") with { Region = null }).Offer(Buyer, activeContracts: 60);

        Assert.Equal(["ipv6"], offer.AddressFamilies);
        Assert.Null(offer.Region);
        Assert.Equal(0, offer.CapacityLeft);
    }

    [Fact]
    public void The_offer_goes_on_the_wire_in_snake_case()
    {
        var json = JsonSerializer.Serialize(Desk(Options()).Offer(Buyer, 0), JsonRpcCodec.WireOptions);

        foreach (var name in new[] { "modes", "address_families", "price_per_hour_sat", "minimum_duration_seconds", "maximum_duration_seconds", "capacity_left", "protocol_versions", "region" })
        {
            Assert.Contains($"\"{name}\":", json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Offers_are_rate_limited_per_peer_apart_from_quotes()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var desk = Desk(Options(), clock);

        for (var i = 0; i < 3; i++)
        {
            desk.Offer(Buyer, 0);
        }

        var refused = Assert.Throws<ProtocolException>(() => desk.Offer(Buyer, 0));
        Assert.Equal(ProtocolErrorCode.RateLimited, refused.Code);

        // Another peer, and this peer's quotes, have their own budgets.
        desk.Offer("03bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0);
        desk.Quote(Buyer, new QuoteRequest(3600));

        clock.Advance(TimeSpan.FromSeconds(61));
        desk.Offer(Buyer, 0);
    }

    [Theory]
    [InlineData("eu-west")]
    [InlineData("Frankfurt 2")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void A_region_label_is_accepted(string region)
    {
        Assert.Equal(region, SellerOptions.ValidRegion(region));
        Assert.True(OfferRegion.IsValid(region));
    }

    [Theory]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("eu_west")]
    [InlineData("eu\nwest")]
    [InlineData(" eu")]
    [InlineData("eu ")]
    [InlineData("Zürich")]
    [InlineData("eu\u202Ewest")]
    public void A_region_buyers_would_refuse_is_refused(string region)
    {
        Assert.Throws<ArgumentException>(() => SellerOptions.ValidRegion(region));
        Assert.False(OfferRegion.IsValid(region));
    }

    [Fact]
    public void No_region_is_none()
    {
        Assert.Null(SellerOptions.ValidRegion(null));
        Assert.Null(SellerOptions.ValidRegion(string.Empty));
    }

    [Fact]
    public void Offer_params_are_an_object_possibly_empty()
    {
        Assert.NotNull(JsonRpcCodec.ReadPayload<OfferRequest>(JsonDocument.Parse("{}").RootElement));

        foreach (var malformed in new[] { "[]", "1", "\"offer\"" })
        {
            var refused = Assert.Throws<ProtocolException>(() => JsonRpcCodec.ReadPayload<OfferRequest>(JsonDocument.Parse(malformed).RootElement));
            Assert.Equal(ProtocolErrorCode.InvalidParams, refused.Code);
        }

        Assert.Equal(ProtocolErrorCode.InvalidParams, Assert.Throws<ProtocolException>(() => JsonRpcCodec.ReadPayload<OfferRequest>(null)).Code);
    }
}
