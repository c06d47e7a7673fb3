using System.Net;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A port-forward buyer routes only the seller's address in the main table, and its own tunnel address's
/// packets through a table named after that address (so removal finds it from the contract alone).</summary>
public sealed class PortForwardRoutingTests
{
    [Theory]
    [InlineData("10.77.0.2", 172818434)]
    [InlineData("0.0.0.7", 7 + 0x10000)]
    [InlineData("fd00:77::2", 0x40000002)]
    public void The_table_is_a_function_of_the_buyer_address_above_the_system_tables(string address, int table) =>
        Assert.Equal(table, PortForwardRouting.TableFor(IPAddress.Parse(address)));

    [Fact]
    public void Only_the_sellers_tunnel_address_goes_into_the_main_table()
    {
        var contract = BoughtContractTests.Paying() with
        {
            Mode = TunnelOfferVocabulary.WireName(TunnelMode.PortForward),
            SellerTunnelAddress = "10.77.0.1",
            AllowedIps = ["0.0.0.0/0"],
        };

        Assert.True(PortForwardRouting.Applies(contract));
        Assert.Equal(["10.77.0.1/32"], PortForwardRouting.MainTableRoutes(contract).Select(r => r.ToString()));
        Assert.False(PortForwardRouting.Applies(contract with { Mode = string.Empty }));
    }

    [Theory]
    [InlineData("ipv4")]
    [InlineData("ipv6")]
    public void A_port_forward_quote_can_be_set_up(string family) => QuoteCheck.RequireDeliverable(new TunnelOffer(family, "port-forward"));
}
