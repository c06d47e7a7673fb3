using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A seller's offer is refused, before anything is accepted or paid, unless it is for what was asked.</summary>
public sealed class QuoteCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly QuoteRequest Asked = new(1800, new TunnelOffer());

    private static QuoteResponse Honest() => new("00ff", 500, 1800, Now.AddMinutes(5).ToUnixTimeSeconds(), new TunnelOffer(), "A1B2");

    [Fact]
    public void An_honest_quote_passes()
    {
        QuoteCheck.RequireQuote(Honest(), Asked, Now);
    }

    public static TheoryData<string, QuoteResponse> Mismatches => new()
    {
        { "60 s where 1,800 s were asked", Honest() with { DurationSeconds = 60 } },
        { "another mode", Honest() with { Offer = new TunnelOffer("ipv4", "full-tunnel") } },
        { "another family", Honest() with { Offer = new TunnelOffer("ipv6", "node-to-node") } },
        { "no offer at all", Honest() with { Offer = null! } },
        { "a price of nothing", Honest() with { PriceSat = 0 } },
        { "a negative price", Honest() with { PriceSat = -1 } },
        { "more than all bitcoin", Honest() with { PriceSat = QuoteCheck.MaxSat + 1 } },
        { "an expired quote", Honest() with { ExpiresAt = Now.AddSeconds(-1).ToUnixTimeSeconds() } },
        { "a quote valid for a year", Honest() with { ExpiresAt = Now.AddYears(1).ToUnixTimeSeconds() } },
        { "a nonce with a line break", Honest() with { Nonce = "00ff\nx" } },
        { "an empty promise", Honest() with { Promise = "" } },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void A_quote_for_something_else_is_refused(string mismatch, QuoteResponse answer)
    {
        var error = Assert.Throws<PurchaseException>(() => QuoteCheck.RequireQuote(answer, Asked, Now));

        Assert.Equal(PurchaseError.SellerAnswerRefused, error.Error);
        Assert.Contains("Nothing was paid", error.Message);
        Assert.False(string.IsNullOrEmpty(mismatch));
    }

    [Fact]
    public void An_answer_for_another_offer_than_the_one_asked_is_refused()
    {
        var exit = new QuoteRequest(1800, TunnelOfferVocabulary.Offer(TunnelMode.Exit, TunnelAddressFamily.IPv6));

        var error = Assert.Throws<PurchaseException>(() => QuoteCheck.RequireQuote(Honest(), exit, Now));

        Assert.Equal(PurchaseError.SellerAnswerRefused, error.Error);
        Assert.Contains("exit ipv6 tunnel was asked", error.Message);
        Assert.Contains("node-to-node", error.Message);
        QuoteCheck.RequireQuote(Honest() with { Offer = exit.Offer! }, exit, Now);
    }

    [Fact]
    public void A_refresh_offer_for_another_duration_or_contract_is_refused()
    {
        var asked = new RefreshRequest("c1", 3600);
        QuoteCheck.RequireRefresh(new RefreshResponse("c1", 1000, 3600, "lnbcrt1"), asked);

        Assert.Throws<PurchaseException>(() => QuoteCheck.RequireRefresh(new RefreshResponse("c1", 1000, 60, "lnbcrt1"), asked));
        Assert.Throws<PurchaseException>(() => QuoteCheck.RequireRefresh(new RefreshResponse("c2", 1000, 3600, "lnbcrt1"), asked));
        Assert.Throws<PurchaseException>(() => QuoteCheck.RequireRefresh(new RefreshResponse("c1", 0, 3600, "lnbcrt1"), asked));
    }

    [Theory]
    [InlineData("exit", "dual")]
    [InlineData("port-forward", "dual")]
    [InlineData("node-to-node", "dual")]
    [InlineData("node-to-node", "")]
    [InlineData("relay", "ipv4")]
    public void A_quote_for_a_tunnel_this_buyer_cannot_set_up_is_refused_before_anything_is_paid(string mode, string family)
    {
        var refused = Assert.Throws<PurchaseException>(() => QuoteCheck.RequireDeliverable(new TunnelOffer(family, mode)));
        Assert.Equal(PurchaseError.OfferNotSupported, refused.Error);
    }

    [Theory]
    [InlineData("ipv4")]
    [InlineData("ipv6")]
    public void A_node_to_node_quote_can_be_set_up(string family) => QuoteCheck.RequireDeliverable(new TunnelOffer(family, "node-to-node"));

    [Theory]
    [InlineData("ipv4")]
    [InlineData("ipv6")]
    public void An_exit_quote_can_be_set_up_as_a_full_tunnel(string family) => QuoteCheck.RequireDeliverable(new TunnelOffer(family, "exit"));
}
