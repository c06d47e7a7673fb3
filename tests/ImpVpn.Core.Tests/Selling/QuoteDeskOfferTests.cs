using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>The seller quotes only the modes and address families it sells, and a refusal names them so the buyer
/// can ask again for something it will get.</summary>
public sealed class QuoteDeskOfferTests
{
    private const string Buyer = "02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static QuoteDesk Desk(string subnet = "10.77.0.0/24") => new(
        new SellerOptions { InterfaceName = "ivs-desk", Endpoint = "192.0.2.1:51820", Subnet = IpPrefix.Parse(subnet) },
        new QuotePromise(QuotePromise.NewSecret()), TimeProvider.System, new RecordingLog());

    [Fact]
    public void A_seller_sells_node_to_node_in_its_subnet_s_family_by_default()
    {
        var options = new SellerOptions { InterfaceName = "ivs-desk", Endpoint = "192.0.2.1:51820" };

        Assert.Equal([TunnelMode.NodeToNode], options.SoldModes);
        Assert.Equal([TunnelAddressFamily.IPv4], options.SoldAddressFamilies);
        Assert.Equal([TunnelAddressFamily.IPv6], (options with { Subnet = IpPrefix.Parse("fd77::/120") }).SoldAddressFamilies);
    }

    [Theory]
    [InlineData(TunnelMode.Exit, TunnelAddressFamily.IPv4)]
    [InlineData(TunnelMode.PortForward, TunnelAddressFamily.IPv4)]
    [InlineData(TunnelMode.NodeToNode, TunnelAddressFamily.IPv6)]
    [InlineData(TunnelMode.NodeToNode, TunnelAddressFamily.Dual)]
    public void An_offer_not_sold_is_refused_with_what_is_sold(TunnelMode mode, TunnelAddressFamily family)
    {
        var refused = Assert.Throws<ProtocolException>(() =>
            Desk().Quote(Buyer, new QuoteRequest(3600, TunnelOfferVocabulary.Offer(mode, family))));

        Assert.Equal(ProtocolErrorCode.OfferNotSold, refused.Code);
        Assert.Equal("This seller sells modes node-to-node; address families ipv4.", refused.Message);
    }

    [Fact]
    public void Unknown_words_are_refused_without_being_echoed()
    {
        var refused = Assert.Throws<ProtocolException>(() =>
            Desk().Quote(Buyer, new QuoteRequest(3600, new TunnelOffer("ipx", "full-tunnel\n"))));

        Assert.Equal(ProtocolErrorCode.OfferNotSold, refused.Code);
        Assert.DoesNotContain("full-tunnel", refused.Message);
    }

    [Fact]
    public void What_is_sold_is_quoted_as_asked()
    {
        var asked = TunnelOfferVocabulary.Offer(TunnelMode.NodeToNode, TunnelAddressFamily.IPv6);

        var quote = Desk("fd77::/120").Quote(Buyer, new QuoteRequest(3600, asked));

        Assert.Equal(asked, quote.Offer);
        Assert.Equal(new TunnelOffer(), Desk().Quote(Buyer, new QuoteRequest(3600)).Offer);
    }
}
