using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A seller that gives its endpoint as a DNS name (dynamic DNS): the buyer resolves the name on activation,
/// checks every address it resolves to, and keeps the address, never the name.</summary>
public sealed class SellerEndpointNameTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_seller_endpoint_given_as_a_name_is_resolved_by_the_buyer_and_the_purchase_completes()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await net.StartSellerAsync(new RecordingWireGuard(), new SellerOptions
        {
            InterfaceName = "ivs-dyndns",
            Endpoint = SellerOptions.ValidEndpoint("VPN.Example.net:51820"),
        });
        await using var buyer = net.Buyer(null);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        var machine = FakeLocalNetwork.Typical(new Dictionary<string, string[]> { ["vpn.example.net"] = ["198.51.100.20"] });

        var contract = await buyer.ConfirmAsync(quote, new BuyerOptions { ConfigOnly = true, Network = machine }, None);

        Assert.Equal(BoughtContractState.Active, contract.State);
        Assert.Equal("198.51.100.20:51820", contract.Endpoint);
        Assert.Equal("198.51.100.20:51820", net.BoughtContracts.Get(contract.Id).Endpoint);
    }
}
