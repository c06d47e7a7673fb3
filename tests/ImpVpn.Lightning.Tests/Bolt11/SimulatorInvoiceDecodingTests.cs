using System.Security.Cryptography;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Lightning.Tests.Bolt11;

public sealed class SimulatorInvoiceDecodingTests
{
    [Theory]
    [InlineData(123_456)]
    [InlineData(100_000)]
    [InlineData(1)]
    [InlineData(250_000_000)]
    public async Task A_simulator_invoice_reads_back_with_an_independent_decoder(long amountSat)
    {
        await using var net = await TestNetwork.StartAsync("bob");
        var bob = await net.ClientAsync("bob");
        var terms = SHA256.HashData("impvpn terms"u8.ToArray());

        var invoice = await bob.AddInvoiceAsync(new InvoiceRequest(amountSat, DescriptionHash: terms), CancellationToken.None);
        var reading = IndependentBolt11Reader.Read(invoice.PaymentRequest);

        Assert.StartsWith("lnbcrt", reading.Hrp);
        Assert.Equal(amountSat * 1000, reading.AmountMsat);
        Assert.Equal(invoice.PaymentHash, reading.PaymentHash);
        Assert.Equal(terms, reading.DescriptionHash);
        Assert.Equal(net["bob"].PubKey, reading.RecoveredPayee);
        Assert.Equal(net["bob"].PubKey, reading.StatedPayee);
    }

    [Fact]
    public async Task A_memo_invoice_carries_its_description_and_any_changed_character_breaks_the_checksum()
    {
        await using var net = await TestNetwork.StartAsync("bob");
        var bob = await net.ClientAsync("bob");
        var invoice = await bob.AddInvoiceAsync(new InvoiceRequest(2_500, "one tunnel, one hour"), CancellationToken.None);

        Assert.Equal("one tunnel, one hour", IndependentBolt11Reader.Read(invoice.PaymentRequest).Description);
        var chars = invoice.PaymentRequest.ToCharArray();
        chars[20] = chars[20] == 'q' ? 'p' : 'q';
        Assert.Throws<FormatException>(() => IndependentBolt11Reader.Read(new string(chars)));
    }

    [Fact]
    public async Task A_private_invoice_carries_its_route_hint_in_an_r_field_an_independent_decoder_reads()
    {
        await using var net = await TestNetwork.StartAsync("bob", "carol");
        await net.Simulation.OpenChannelAsync("bob", "carol", 500_000, 0, new ImpVpn.LndSim.Network.FeePolicy(1_500, 250, 144), isPrivate: true);
        var invoice = await net.Raw("carol").Lightning.AddInvoiceAsync(new ImpVpn.Lnd.Rpc.Lnrpc.Invoice { Value = 7_000, Private = true });

        var reading = IndependentBolt11Reader.Read(invoice.PaymentRequest);

        var hop = Assert.Single(Assert.Single(reading.RouteHints));
        Assert.Equal(new IndependentBolt11Reader.HintHop(net["bob"].PubKey, net.Simulation.Network.ChannelsOf("carol").Single().Id, 1_500, 250, 144), hop);
        Assert.Equal(net["carol"].PubKey, reading.RecoveredPayee);
    }
}
