using ImpVpn.Core.Buying;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>The seller over its repository: a store from the previous version, one seller per store, restarts that
/// read only what is live, and purchases and rounds that read no contract file.</summary>
public sealed class VpnSellerTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SellerOptions Options = new() { InterfaceName = "ivs-selling", Endpoint = "192.0.2.1:51820" };
    private static readonly BuyerOptions ConfigOnly = new() { ConfigOnly = true, MaxPriceSat = 10_000, ReplyTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task A_store_of_schema_1_opens_with_its_contracts_as_they_were_and_they_run_their_course()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var folder = CopyOfFixture("store-v1");
        try
        {
            var clock = new ManualClock(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
            var wireGuard = new RecordingWireGuard();
            var store = new ContractStore(folder);
            await using var seller = new VpnSeller(net.BobNode, wireGuard, store, Options, clock: clock);
            await seller.StartAsync(None);

            var active = seller.Contracts.FindLive("s0000000000000b1")!;
            Assert.Equal(SoldContractState.Active, active.State);
            Assert.True(active.InvoiceSettled);
            Assert.Equal("02bb00000000000000000000000000000000000000000000000000000000000002", active.BuyerPubKey);
            Assert.Equal("10.77.0.2", active.BuyerTunnelAddress);
            Assert.Equal("10.77.0.1", active.SellerTunnelAddress);
            Assert.Equal(new DateTimeOffset(2026, 11, 30, 13, 0, 0, TimeSpan.Zero), active.ExpiresAt);
            var refresh = active.Refresh!;
            Assert.Equal((1800L, 500L, false), (refresh.DurationSeconds, refresh.PriceSat, refresh.Applied));
            Assert.Equal(new string('8', 64), refresh.Preimage);
            Assert.Equal(SoldContractState.AwaitingPayment, seller.Contracts.FindLive("s0000000000000b2")!.State);
            Assert.Null(seller.Contracts.FindLive("s0000000000000b3"));
            Assert.Equal(SoldContractState.Expired, store.SoldShelf().FindArchived("s0000000000000b3")!.State);
            Assert.False(File.Exists(Path.Combine(folder, "contracts", "s0000000000000b3.json")));
            Assert.Equal((1, 1), (seller.Contracts.Open, seller.Contracts.Active));
            Assert.Equal(active.BuyerWireGuardKey, Assert.Single(wireGuard.PeersOf("ivs-selling")).PublicKey.ToBase64());

            // The unpaid purchase lapses, then the unpaid refresh, then the contract itself.
            clock.Advance(TimeSpan.FromMinutes(6));
            await seller.ExpireAsync(None);
            Assert.Equal(SoldContractState.Cancelled, store.SoldShelf().FindArchived("s0000000000000b2")!.State);
            Assert.Equal((0, 1), (seller.Contracts.Open, seller.Contracts.Active));

            clock.Advance(TimeSpan.FromMinutes(5));
            await seller.ExpireAsync(None);
            Assert.Null(seller.Contracts.FindLive("s0000000000000b1")!.Refresh);
            Assert.Null(store.SoldShelf().Find("s0000000000000b1")!.Refresh);

            clock.Advance(TimeSpan.FromMinutes(50));
            await seller.ExpireAsync(None);
            Assert.Empty(seller.Contracts.Live);
            Assert.Empty(store.SoldShelf().All());
            Assert.Equal(3, store.SoldShelf().Archived().Count);
            Assert.Empty(wireGuard.PeersOf("ivs-selling"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_seller_on_the_same_store_is_refused_until_the_first_stops()
    {
        var folder = Directory.CreateTempSubdirectory("impvpn-two-sellers-").FullName;
        try
        {
            var node = new FakeLightningNode("02" + new string('a', 64));
            var store = new ContractStore(folder);
            var first = new VpnSeller(node, new RecordingWireGuard(), store, Options);
            await first.StartAsync(None);
            await using var second = new VpnSeller(node, new RecordingWireGuard(), new ContractStore(folder), Options);

            await Assert.ThrowsAsync<StoreBusyException>(() => second.StartAsync(None));
            Assert.Throws<InvalidOperationException>(() => second.Contracts);

            await first.DisposeAsync();
            await second.StartAsync(None);
            Assert.Equal(first.PublicKey, second.PublicKey);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_restarted_seller_reads_only_live_contracts_and_re_adds_the_active_peers()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var first = await net.StartSellerAsync(new RecordingWireGuard(), Options, clock: clock);
        await using var buyer = net.Buyer(null);
        var lasting = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        var brief = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        clock.Advance(TimeSpan.FromSeconds(61));
        await first.ExpireAsync(None);
        Assert.Equal(SoldContractState.Expired, net.SellerStore.SoldShelf().FindArchived(brief.Id)!.State);
        await first.DisposeAsync();
        // History is not read on start: a file there that cannot be read would be reported if it were.
        File.WriteAllText(Path.Combine(net.SellerStore.Root, "contracts", "sold", "archive", "0000000000000000.json"), "{ not json");

        var log = new RecordingLog();
        var wireGuard = new RecordingWireGuard();
        await using var second = new VpnSeller(net.BobNode, wireGuard, net.SellerStore, Options, log, clock);
        await second.StartAsync(None);

        Assert.Equal(lasting.Id, Assert.Single(second.Contracts.Live).Id);
        Assert.Equal(lasting.BuyerWireGuardKey, Assert.Single(wireGuard.PeersOf("ivs-selling")).PublicKey.ToBase64());
        Assert.Empty(log.Warnings);
        Assert.Equal("Expired", (await StatusOf(net, brief.Id)).State);
    }

    [Fact]
    public async Task A_quote_accepted_before_a_restart_cannot_be_accepted_again_after_it()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var first = await net.StartSellerAsync(new RecordingWireGuard(), Options);
        await using var buyer = net.Buyer(null);
        var quote = await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5), None);
        await buyer.ConfirmAsync(quote, ConfigOnly, None);
        var afterPurchase = net.AliceMsat;
        await first.DisposeAsync();

        await using var second = new VpnSeller(net.BobNode, new RecordingWireGuard(), net.SellerStore, Options);
        await second.StartAsync(None);
        // The same quote, from a store that never bought it (another machine of the buyer's, or a copy of the quote).
        await using var elsewhere = net.Buyer(null, contracts: net.OtherBuyerStore());
        var error = await Assert.ThrowsAsync<PurchaseException>(() => elsewhere.ConfirmAsync(quote, ConfigOnly, None));

        Assert.Equal(PurchaseError.QuoteExpired, error.Error);
        Assert.Equal(afterPurchase, net.AliceMsat);
    }

    [Fact]
    public async Task Purchases_and_expiry_rounds_read_no_contract_file_and_log_no_secret()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var log = new RecordingLog();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var seller = new VpnSeller(net.BobNode, new RecordingWireGuard(), net.SellerStore, Options, log, clock);
        await seller.StartAsync(None);
        // Were the seller still reading its whole folder on every accept and round, it would report this file each time.
        File.WriteAllText(Path.Combine(net.SellerStore.Root, "contracts", "sold", "0000000000000000.json"), "{ not json");
        await using var buyer = net.Buyer(null);

        var contract = await buyer.ConfirmAsync(await buyer.RequestQuoteAsync(net.SellerPubKey, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), None), ConfigOnly, None);
        await buyer.RefreshAsync(contract.Id, TimeSpan.FromMinutes(1), ConfigOnly, None);
        clock.Advance(TimeSpan.FromMinutes(3));
        await seller.ExpireAsync(None);

        Assert.Empty(log.Warnings);
        var sold = net.SellerStore.SoldContract(contract.Id)!;
        Assert.Equal(SoldContractState.Expired, sold.State);
        Assert.Equal(17 + 17, sold.PriceSat);
        var secret = net.SellerStore.ReadSecret("provider-wireguard.key")!.Trim();
        Assert.DoesNotContain(log.Lines, l => l.Message.Contains(sold.Preimage, StringComparison.OrdinalIgnoreCase) || l.Message.Contains(secret));
    }

    private static async Task<ImpVpn.Core.Protocol.StatusResponse> StatusOf(PurchaseNetwork net, string id)
    {
        await using var rpc = new ImpVpn.Core.Protocol.PeerRpcEndpoint(net.AliceNode);
        rpc.Start();
        return await rpc.CallAsync<ImpVpn.Core.Protocol.StatusResponse>(net.SellerPubKey, ImpVpn.Core.Protocol.PeerProtocol.Status,
            new ImpVpn.Core.Protocol.StatusRequest(id), TimeSpan.FromSeconds(5), None);
    }

    private static string CopyOfFixture(string name)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        var target = Directory.CreateTempSubdirectory("impvpn-" + name + "-").FullName;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
