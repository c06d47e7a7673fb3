using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>A seller's port forwards (issue 13, point 4): which public port each contract holds and when it is free
/// again, what the seller refuses to start with, and a purchase on the simulator whose connect-back never reaches
/// the buyer (claims retried, then the claim deadline refunds).</summary>
public sealed class PortForwardTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PortForwardOptions Range = new() { PublicAddress = "198.51.100.1", FirstPort = 40000, LastPort = 40002 };

    private static SoldContract Holding(string id, int? port, string address = "10.77.0.2") =>
        SoldContractTests.Accepted(id, address) with { ForwardedEndpoint = port is { } p ? Range.EndpointFor(p) : null, Mode = "port-forward" };

    [Fact]
    public void A_contract_gets_the_lowest_port_no_live_contract_holds()
    {
        Assert.Equal("198.51.100.1:40000", ForwardedPorts.Reserve(Range, []));
        Assert.Equal("198.51.100.1:40001", ForwardedPorts.Reserve(Range, [Holding("a", 40000), Holding("b", 40002), Holding("n", null)]));
    }

    [Fact]
    public void A_port_is_free_again_once_its_contract_has_ended_cancelled_or_refunded()
    {
        var cancelled = Holding("a", 40000).Cancelled();

        Assert.False(cancelled.HoldsAddress);
        Assert.Null(ForwardedPorts.HeldBy(cancelled));
        Assert.Equal("198.51.100.1:40000", ForwardedPorts.Reserve(Range, [cancelled, Holding("b", 40001)]));
    }

    [Fact]
    public void With_every_port_held_an_accept_is_refused_for_capacity()
    {
        var e = Assert.Throws<ProtocolException>(() => ForwardedPorts.Reserve(Range, [Holding("a", 40000), Holding("b", 40001), Holding("c", 40002)]));

        Assert.Equal(ProtocolErrorCode.CapacityReached, e.Code);
    }

    [Fact]
    public void An_ipv6_public_address_is_written_in_brackets_and_its_port_read_back()
    {
        var v6 = Range with { PublicAddress = "2001:db8::1" };

        Assert.Equal("[2001:db8::1]:40000", v6.EndpointFor(40000));
        Assert.Equal(40000, ForwardedPorts.PortOf("[2001:db8::1]:40000"));
    }

    [Theory]
    [InlineData("40000-40999", 40000, 40999)]
    [InlineData("40000", 40000, 40000)]
    [InlineData(" 1 - 65535 ", 1, 65535)]
    public void A_port_range_is_read(string text, int first, int last) =>
        Assert.Equal((first, last), PortForwardOptions.ParseRange(text));

    [Theory]
    [InlineData("40999-40000")]
    [InlineData("0-10")]
    [InlineData("40000-70000")]
    [InlineData("40000-")]
    [InlineData("a-b")]
    [InlineData("+1-2")]
    public void Anything_else_is_not_a_port_range(string text) =>
        Assert.Throws<ArgumentException>(() => PortForwardOptions.ParseRange(text));

    [Theory]
    [InlineData("198.51.100.1", "198.51.100.1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("Node.Example.NET", "node.example.net")]
    public void A_public_address_is_an_ip_literal_or_host_name(string text, string expected) =>
        Assert.Equal(expected, PortForwardOptions.ValidPublicAddress(text));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("10")]
    [InlineData("localhost")]
    [InlineData("host;reboot")]
    [InlineData("fe80::1%eth0")]
    [InlineData("node.example.net:9735")]
    public void Anything_else_is_not_a_public_address(string text) =>
        Assert.Throws<ArgumentException>(() => PortForwardOptions.ValidPublicAddress(text));

    public static TheoryData<string, SellerOptions, bool> Undeliverable => new()
    {
        { "no public address or range", Options(), false },
        { "the firewall left to others", Options(Range) with { ManageFirewall = false }, false },
        { "configuration only", Options(Range) with { ConfigOnly = true }, false },
        { "no WireGuard on this host", Options(Range), true },
        { "a range holding the WireGuard port", Options(Range with { FirstPort = 51000, LastPort = 52000 }), false },
    };

    [Theory]
    [MemberData(nameof(Undeliverable))]
    public async Task A_seller_selling_port_forwards_it_cannot_deliver_refuses_to_start(string why, SellerOptions options, bool noWireGuard)
    {
        var wireGuard = new RecordingWireGuard();
        await using var seller = new VpnSeller(new FakeLightningNode("02" + new string('a', 64)), noWireGuard ? null : wireGuard.Host, new Core.Store.ContractStore(Directory.CreateTempSubdirectory("impvpn-pf-").FullName), options);

        var e = await Assert.ThrowsAsync<PortForwardConfigurationException>(() => seller.StartAsync(None));

        Assert.False(string.IsNullOrWhiteSpace(e.Message), why);
        Assert.Empty(wireGuard.FirewallApplied);
        Assert.Empty(await wireGuard.ListDevicesAsync(None));
    }

    [Fact]
    public async Task The_firewall_gets_the_forwarding_and_a_port_forward_admission_carries_its_port_held_across_a_restart()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var wireGuard = new RecordingWireGuard();
        var options = Options(Range with { LastPort = 40000 });
        var first = await net.StartSellerAsync(wireGuard, options, connectBack: new FixedConnectBack(true));
        await using var buyer = net.Buyer(new RecordingWireGuard().Host with { SourceRouting = new RecordingSourceRouting() });

        var bought = await buyer.ConfirmAsync(await QuoteAsync(buyer, net), new BuyerOptions(), None);

        Assert.Equal("198.51.100.1:40000", bought.ForwardedEndpoint);
        Assert.Equal(9735, wireGuard.FirewallApplied[^1].Rules.PortForward?.TargetPort);

        // The only port is held, also by the seller started again on the same store: a second buyer is refused.
        await first.DisposeAsync();
        var restarted = new RecordingWireGuard();
        await net.StartSellerAsync(restarted, options, connectBack: new FixedConnectBack(true));
        Assert.Equal(40000, Assert.Single(restarted.AdmittedWhenApplied).ForwardedPort);
        var refused = await Assert.ThrowsAsync<PurchaseException>(async () => await buyer.ConfirmAsync(await QuoteAsync(buyer, net), new BuyerOptions(), None));
        Assert.Equal(ProtocolErrorCode.CapacityReached, Assert.IsType<ProtocolException>(refused.InnerException).Code);
    }

    // A revoked contract's address goes back to the pool: its port's forwarding must go with it, or the old public
    // port leads to the address's next buyer until the element's timeout.
    [Fact]
    public async Task Removing_a_peer_revokes_its_contracts_forwarded_port_with_its_admission()
    {
        var wireGuard = new RecordingWireGuard();
        using var key = WireGuardPrivateKey.Generate();
        var provisioning = new PeerProvisioning(wireGuard.Host, Options(Range), key, System.Net.IPAddress.Parse("10.77.0.1"), TimeProvider.System, Core.Diagnostics.NullProgressLog.Instance);
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var forwarded = Holding("a", 40001).Activated(expires);
        var plain = SoldContractTests.Accepted("b", "10.77.0.3").Activated(expires);
        await provisioning.EnsureInterfaceAsync(None);

        await provisioning.RemovePeerAsync(forwarded, None);
        await provisioning.RemovePeerAsync(plain, None);

        Assert.Equal(40001, wireGuard.RevokedPorts[System.Net.IPAddress.Parse("10.77.0.2")]);
        Assert.Null(wireGuard.RevokedPorts[System.Net.IPAddress.Parse("10.77.0.3")]);
    }

    [Fact]
    public async Task A_connect_back_that_never_reaches_the_buyer_is_claimed_again_until_the_deadline_cancels_and_refunds()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var never = new FixedConnectBack(false);
        var seller = await net.StartSellerAsync(new RecordingWireGuard(), Options(Range) with { ClaimWindow = TimeSpan.FromSeconds(8) }, connectBack: never);
        using var serving = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var rounds = seller.ServeAsync(serving.Token);
        await using var buyer = net.Buyer(new RecordingWireGuard().Host with { SourceRouting = new RecordingSourceRouting() });
        var before = net.AliceMsat;

        var e = await Assert.ThrowsAsync<PurchaseException>(async () => await buyer.ConfirmAsync(await QuoteAsync(buyer, net), new BuyerOptions(), None));
        await serving.CancelAsync();
        await rounds;

        Assert.Equal(PurchaseError.PaymentFailed, e.Error);
        Assert.True(never.Calls >= 2, $"the claim was made again after a failed connect-back ({never.Calls} connect-backs)");
        Assert.Equal(before, net.AliceMsat);
        var sold = net.SellerStore.SoldContract(Assert.Single(net.BoughtContracts.All()).Id)!;
        Assert.Equal(SoldContractState.Cancelled, sold.State);
        Assert.False(sold.InvoiceSettled);
    }

    private static SellerOptions Options(PortForwardOptions? forward = null) => new()
    {
        InterfaceName = "ivs-pf",
        Endpoint = "192.0.2.1:51820",
        SoldModes = [TunnelMode.PortForward],
        PortForward = forward,
    };

    private static Task<VpnQuote> QuoteAsync(TestBuyer buyer, PurchaseNetwork net) =>
        buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TunnelOfferVocabulary.Offer(TunnelMode.PortForward, TunnelAddressFamily.IPv4), TimeSpan.FromSeconds(5), None);

    private sealed class FixedConnectBack(bool reaches) : IConnectBack
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<bool> CanConnectAsync(string host, int port, TimeSpan within, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(reaches);
        }
    }
}
