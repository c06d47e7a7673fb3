using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A seller's offer is used only when every field of it is sane; anything else is refused as a whole.</summary>
public sealed class OfferCheckTests
{
    private const string Seller = "02cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    private static OfferResponse Honest() => new(
        ["node-to-node", "exit", "port-forward"], ["ipv4", "ipv6"], 1_000, 60, 30 * 24 * 3600, 12, [1, 2], "eu-west");

    [Fact]
    public void An_honest_offer_is_typed()
    {
        var offer = OfferCheck.Require(Seller, Honest(), TimeSpan.FromMilliseconds(40));

        Assert.Equal(Seller, offer.SellerPubKey);
        Assert.Equal([TunnelMode.NodeToNode, TunnelMode.Exit, TunnelMode.PortForward], offer.Modes);
        Assert.Equal([TunnelAddressFamily.IPv4, TunnelAddressFamily.IPv6], offer.AddressFamilies);
        Assert.Equal(1_000, offer.PricePerHourSat);
        Assert.Equal(TimeSpan.FromMinutes(1), offer.MinimumDuration);
        Assert.Equal(TimeSpan.FromDays(30), offer.MaximumDuration);
        Assert.Equal("eu-west", offer.Region);
        Assert.Equal(12, offer.CapacityLeft);
        Assert.Equal([1, 2], offer.ProtocolVersions);
        Assert.Equal(TimeSpan.FromMilliseconds(40), offer.AnswerTime);
    }

    [Fact]
    public void No_region_and_no_capacity_are_an_offer_still()
    {
        var offer = OfferCheck.Require(Seller, Honest() with { Region = null, CapacityLeft = 0 }, TimeSpan.Zero);

        Assert.Null(offer.Region);
        Assert.Equal(0, offer.CapacityLeft);
    }

    public static TheoryData<string, OfferResponse?> Malformed => new()
    {
        { "no answer", null },
        { "no modes", Honest() with { Modes = [] } },
        { "modes missing", Honest() with { Modes = null! } },
        { "a mode in another case", Honest() with { Modes = ["Exit"] } },
        { "a mode with a space", Honest() with { Modes = ["exit "] } },
        { "an unknown mode", Honest() with { Modes = ["full-tunnel"] } },
        { "a null mode", Honest() with { Modes = [null!] } },
        { "a mode twice", Honest() with { Modes = ["exit", "exit"] } },
        { "no families", Honest() with { AddressFamilies = [] } },
        { "a family in another case", Honest() with { AddressFamilies = ["IPv4"] } },
        { "an unknown family", Honest() with { AddressFamilies = ["ipx"] } },
        { "a family twice", Honest() with { AddressFamilies = ["ipv4", "ipv4"] } },
        { "a price of nothing", Honest() with { PricePerHourSat = 0 } },
        { "a negative price", Honest() with { PricePerHourSat = -5 } },
        { "more than all bitcoin", Honest() with { PricePerHourSat = QuoteCheck.MaxSat + 1 } },
        { "a minimum of nothing", Honest() with { MinimumDurationSeconds = 0 } },
        { "a negative maximum", Honest() with { MaximumDurationSeconds = -1 } },
        { "a minimum above the maximum", Honest() with { MinimumDurationSeconds = 7200, MaximumDurationSeconds = 3600 } },
        { "a maximum of a century", Honest() with { MaximumDurationSeconds = 100L * 365 * 24 * 3600 } },
        { "a maximum of long.MaxValue", Honest() with { MaximumDurationSeconds = long.MaxValue } },
        { "a negative capacity", Honest() with { CapacityLeft = -1 } },
        { "no versions", Honest() with { ProtocolVersions = [] } },
        { "versions missing", Honest() with { ProtocolVersions = null! } },
        { "version 0", Honest() with { ProtocolVersions = [0, 2] } },
        { "a version twice", Honest() with { ProtocolVersions = [2, 2] } },
        { "a huge version", Honest() with { ProtocolVersions = [int.MaxValue] } },
        { "too many versions", Honest() with { ProtocolVersions = Enumerable.Range(1, 17).ToList() } },
        { "an empty region", Honest() with { Region = string.Empty } },
        { "a region too long", Honest() with { Region = new string('a', 33) } },
        { "a region with a control character", Honest() with { Region = "eu\u001b[31m" } },
        { "a region with a newline", Honest() with { Region = "eu\nwest" } },
        { "a region with a bidi override", Honest() with { Region = "eu\u202Etsew" } },
        { "a region of spaces", Honest() with { Region = "   " } },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_offer_is_refused(string why, OfferResponse? answer)
    {
        var refused = Assert.Throws<PurchaseException>(() => OfferCheck.Require(Seller, answer, TimeSpan.Zero));

        Assert.Equal(PurchaseError.SellerAnswerRefused, refused.Error);
        Assert.False(string.IsNullOrEmpty(why));
        Assert.DoesNotContain("\u001b", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", refused.Message, StringComparison.Ordinal);
    }
}
