using System.Security.Cryptography;
using System.Text.Json;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Protocol;
using ImpVpn.LndSim.Crypto;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>A dishonest seller answers accept with an invoice that is not what was agreed. The buyer must refuse
/// it before paying anything.</summary>
public sealed class TamperedInvoiceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    public enum Tamper
    {
        Amount,
        Payee,
        DescriptionHash,

        /// <summary>A mainnet invoice (lnbc…) handed to a regtest buyer: its node cannot even read it.</summary>
        Network,

        /// <summary>An honest invoice, but the address assigned to the buyer is loopback.</summary>
        BuyerAddress,
    }

    [Theory]
    [InlineData(Tamper.Amount)]
    [InlineData(Tamper.Payee)]
    [InlineData(Tamper.DescriptionHash)]
    [InlineData(Tamper.Network)]
    [InlineData(Tamper.BuyerAddress)]
    public async Task A_tampered_invoice_is_refused_before_any_payment(Tamper tamper)
    {
        await using var net = await PurchaseNetwork.StartAsync();
        await using var carol = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(net.Simulation["carol"]), true, None);
        await using var seller = new PeerRpcEndpoint(net.BobNode);
        var sellerKey = net.SellerPubKey;
        seller.Handle(PeerProtocol.Quote, (_, _, _) =>
            Task.FromResult<object>(new QuoteResponse("n1", 500, 3600, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(), new TunnelOffer(), "p")));
        seller.Handle(PeerProtocol.Accept, async (peer, parameters, ct) =>
        {
            var accept = JsonRpcCodec.ReadPayload<AcceptRequest>(parameters);
            var terms = new ContractTerms("c1", sellerKey, peer, accept.BuyerWireGuardKey, accept.PriceSat, accept.DurationSeconds, accept.Nonce);
            var hash = tamper == Tamper.DescriptionHash ? SHA256.HashData("other terms"u8.ToArray()) : terms.DescriptionHash();
            var amount = tamper == Tamper.Amount ? accept.PriceSat + 1 : accept.PriceSat;
            var issuer = tamper == Tamper.Payee ? carol : net.BobNode;
            var invoice = await issuer.AddHoldInvoiceAsync(new HoldInvoiceRequest(SHA256.HashData(RandomNumberGenerator.GetBytes(32)), amount, DescriptionHash: hash), ct);
            var request = tamper == Tamper.Network
                ? Bolt11Encoder.Encode(Bolt11Decoder.Decode(invoice.PaymentRequest) with { Currency = "bc" }, NodeKey.Generate())
                : invoice.PaymentRequest;
            return new AcceptResponse("c1", request, tamper == Tamper.BuyerAddress ? "127.0.0.1" : "10.77.0.2");
        });
        seller.Start();
        await using var buyer = net.Buyer(null);
        var before = net.AliceMsat;
        var quote = await buyer.RequestQuoteAsync(sellerKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);

        var error = await Assert.ThrowsAsync<PurchaseException>(() =>
            buyer.ConfirmAsync(quote, new BuyerOptions { ConfigOnly = true, ReplyTimeout = TimeSpan.FromSeconds(5) }, None));

        Assert.Equal(tamper == Tamper.BuyerAddress ? PurchaseError.SellerAnswerRefused : PurchaseError.InvoiceMismatch, error.Error);
        Assert.Contains("Nothing was paid", error.Message);
        Assert.Equal(before, net.AliceMsat);
        Assert.Empty(net.BoughtContracts.All());
    }
}
