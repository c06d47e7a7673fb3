using Google.Protobuf;
using ImpVpn.Lnd.Rpc.Invoicesrpc;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.LndSim.Network;
using PaymentStatus = ImpVpn.Lnd.Rpc.Lnrpc.Payment.Types.PaymentStatus;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>Private channels stay out of the graph; a payee reachable only over one is paid through the route hint
/// its invoice carries, and carries only when asked for a private invoice (as LND's AddInvoice).</summary>
public sealed class PrivateChannelTests
{
    private static async Task<TestNetwork> HiddenCarolAsync(SimProfile profile)
    {
        var net = await TestNetwork.StartAsync(profile, "alice", "bob", "carol");
        await net.Simulation.OpenChannelAsync("alice", "bob", 1_000_000);
        await net.Simulation.OpenChannelAsync("bob", "carol", 1_000_000, 0, new FeePolicy(2_000, 1_000, 40), isPrivate: true);
        return net;
    }

    [Theory]
    [InlineData(SimProfile.Ideal)]
    [InlineData(SimProfile.Realistic)]
    public async Task A_payee_behind_a_private_channel_is_reached_only_with_the_hint_of_a_private_invoice(SimProfile profile)
    {
        await using var net = await HiddenCarolAsync(profile);
        var carol = net.Raw("carol").Lightning;

        var plain = await carol.AddInvoiceAsync(new Invoice { Value = 20_000 });
        var hinted = await carol.AddInvoiceAsync(new Invoice { Value = 20_000, Private = true });
        var noHint = (await SimPay.PayAsync(net.Raw("alice"), SimPay.Request(plain.PaymentRequest)))[^1];
        var viaHint = (await SimPay.PayAsync(net.Raw("alice"), SimPay.Request(hinted.PaymentRequest)))[^1];

        Assert.Empty((await carol.LookupInvoiceAsync(new PaymentHash { RHash = plain.RHash })).RouteHints);
        Assert.Equal((PaymentStatus.Failed, PaymentFailureReason.FailureReasonNoRoute), (noHint.Status, noHint.FailureReason));
        Assert.Equal(PaymentStatus.Succeeded, viaHint.Status);
        var route = Assert.Single(viaHint.Htlcs).Route;
        Assert.Equal(net.Simulation.Network.ChannelsOf("carol").Single().Id, route.Hops[^1].ChanId);
        // Bob's policy on the private channel, as the hint gives it: 2,000 msat + 1,000 ppm, 40 blocks.
        Assert.Equal(22_000, route.TotalFeesMsat);
        Assert.Equal(800u + 80 + 3 + 40, route.TotalTimeLock);
    }

    [Fact]
    public async Task Invoices_carry_hints_only_when_private_is_set_and_the_payee_has_private_channels()
    {
        await using var net = await HiddenCarolAsync(SimProfile.Ideal);
        var carol = net.Raw("carol");
        var bob = net.Raw("bob").Lightning;

        var hold = await carol.Invoices.AddHoldInvoiceAsync(new AddHoldInvoiceRequest
        {
            Hash = ByteString.CopyFrom(new byte[32].Select((_, i) => (byte)i).ToArray()), Value = 1_000, Private = true,
        });
        var decoded = await net.Raw("alice").Lightning.DecodePayReqAsync(new PayReqString { PayReq = hold.PaymentRequest });
        var stored = await carol.Lightning.LookupInvoiceAsync(new PaymentHash { RHash = ByteString.CopyFrom(new byte[32].Select((_, i) => (byte)i).ToArray()) });
        // alice's only channel is public: her private invoice has nothing to hint.
        var alicePrivate = await net.Raw("alice").Lightning.AddInvoiceAsync(new Invoice { Value = 1_000, Private = true });
        var aliceDecoded = await bob.DecodePayReqAsync(new PayReqString { PayReq = alicePrivate.PaymentRequest });

        var hint = Assert.Single(Assert.Single(decoded.RouteHints).HopHints);
        Assert.Equal(net["bob"].PubKey, hint.NodeId);
        Assert.Equal(net.Simulation.Network.ChannelsOf("carol").Single().Id, hint.ChanId);
        Assert.Equal((2_000u, 1_000u, 40u), (hint.FeeBaseMsat, hint.FeeProportionalMillionths, hint.CltvExpiryDelta));
        Assert.True(stored.Private);
        Assert.Equal(decoded.RouteHints, stored.RouteHints);
        Assert.Empty(aliceDecoded.RouteHints);
        var listed = await carol.Lightning.ListChannelsAsync(new ListChannelsRequest());
        Assert.True(Assert.Single(listed.Channels).Private);
    }

    [Fact]
    public async Task A_route_hint_given_in_the_send_request_is_used_too()
    {
        await using var net = await HiddenCarolAsync(SimProfile.Realistic);
        var plain = await net.Raw("carol").Lightning.AddInvoiceAsync(new Invoice { Value = 5_000 });
        var request = SimPay.Request(plain.PaymentRequest);
        request.RouteHints.Add(new RouteHint
        {
            HopHints =
            {
                new HopHint
                {
                    NodeId = net["bob"].PubKey, ChanId = net.Simulation.Network.ChannelsOf("carol").Single().Id,
                    FeeBaseMsat = 2_000, FeeProportionalMillionths = 1_000, CltvExpiryDelta = 40,
                },
            },
        });

        var final = (await SimPay.PayAsync(net.Raw("alice"), request))[^1];

        Assert.Equal(PaymentStatus.Succeeded, final.Status);
    }

    [Fact]
    public async Task A_node_with_only_private_channels_is_not_in_the_graph()
    {
        await using var net = await HiddenCarolAsync(SimProfile.Ideal);

        var unknown = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            net.Raw("alice").Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = net["carol"].PubKey }).ResponseAsync);
        var bob = await net.Raw("alice").Lightning.GetNodeInfoAsync(new NodeInfoRequest { PubKey = net["bob"].PubKey });

        Assert.Equal(Grpc.Core.StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("bob", bob.Node.Alias);
    }
}
