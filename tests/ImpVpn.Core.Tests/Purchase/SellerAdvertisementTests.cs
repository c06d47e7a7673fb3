using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Selling;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>The seller's feature bit: a node that refuses it costs a warning, not the start; a node that restarted
/// and forgot it gets it back from the running seller.</summary>
public sealed class SellerAdvertisementTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly DirectoryInfo _store = Directory.CreateTempSubdirectory("impvpn-adv-");

    public void Dispose() => _store.Delete(recursive: true);

    private static SellerOptions Options(string interfaceName) => new()
    {
        InterfaceName = interfaceName,
        Endpoint = "192.0.2.1:51820",
        ConfigOnly = true,
        ExpiryCheckInterval = TimeSpan.FromMilliseconds(100),
        AdvertisementRefreshInterval = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task A_node_that_refuses_the_bit_is_a_warning_and_the_seller_sells_all_the_same()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var log = new RecordingLog();
        var node = new HookedLightningNode(net.BobNode)
        {
            FailAnnouncement = () => new LightningRpcException("UpdateNodeAnnouncement", "Unimplemented", "unknown service peersrpc.Peers"),
        };
        await using var seller = new VpnSeller(node, new RecordingWireGuard(), new ContractStore(_store.FullName), Options("ivs-advr"), log);

        await seller.StartAsync(None);

        Assert.False(seller.Advertised);
        Assert.Contains(log.Warnings, w => w.Contains($"feature bit {PeerProtocol.SellerFeatureBit}", StringComparison.Ordinal) && w.Contains("unknown service peersrpc.Peers", StringComparison.Ordinal));
        await using var buyer = net.Buyer(null);
        var offer = await buyer.RequestOfferAsync(net.SellerPubKey, TimeSpan.FromSeconds(5), None);
        Assert.Equal(net.SellerPubKey, offer.SellerPubKey);
        await seller.StopAsync(None);
    }

    [Fact]
    public async Task A_seller_sets_its_bit_again_after_its_node_restarted_and_forgot_it()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var seller = new VpnSeller(net.BobNode, new RecordingWireGuard(), new ContractStore(_store.FullName), Options("ivs-adva"));
        await seller.StartAsync(None);
        Assert.True(OwnBit(net));

        // As LND: a restarted node has lost the bits set through peersrpc (it rebuilds its feature sets at start).
        // The seller's loop is not running yet, so nothing sets the bit again before this is seen.
        await net.Simulation["bob"].SetDownAsync(true);
        await net.Simulation["bob"].SetDownAsync(false);
        Assert.False(OwnBit(net));
        var serving = seller.ServeAsync(stop.Token);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!OwnBit(net))
        {
            Assert.True(DateTime.UtcNow < deadline, "the seller never set its bit again");
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await serving;
        await seller.StopAsync(None);
        Assert.False(OwnBit(net));
        Assert.False(seller.Advertised);
    }

    [Fact]
    public async Task A_node_that_does_not_answer_the_set_delays_the_start_only_to_its_bound_and_is_sent_the_clear_at_stop()
    {
        await using var net = await PurchaseNetwork.StartAsync();
        var log = new RecordingLog();
        var node = new HookedLightningNode(net.BobNode)
        {
            // ADD never answers; REMOVE does.
            Announce = (advertise, ct) => advertise ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask,
        };
        await using var seller = new VpnSeller(node, new RecordingWireGuard(), new ContractStore(_store.FullName), Options("ivs-advt") with { AdvertisementTimeout = TimeSpan.FromMilliseconds(300) }, log);

        await seller.StartAsync(None);

        Assert.False(seller.Advertised);
        Assert.Contains(log.Warnings, w => w.Contains("was not set within", StringComparison.Ordinal));
        await seller.StopAsync(None);
        // The set's outcome is unknown (LND may have set it): the clear is sent all the same.
        Assert.Equal([true, false], node.Announcements);
    }

    [Fact]
    public async Task A_set_under_way_when_the_seller_withdraws_is_followed_by_the_clear_and_no_later_set()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var node = new HookedLightningNode(new FakeLightningNode("seller"))
        {
            Announce = async (advertise, _) =>
            {
                if (advertise)
                {
                    entered.TrySetResult();
                    await release.Task;
                }
            },
        };
        using var advertisement = new SellerAdvertisement(node, new RecordingLog(), TimeProvider.System, TimeSpan.Zero, TimeSpan.FromMinutes(1));

        var setting = advertisement.AdvertiseAsync(None);
        await entered.Task;
        var withdrawing = advertisement.WithdrawAsync(None);
        Assert.False(withdrawing.IsCompleted, "The clear did not wait for the set under way.");
        release.SetResult();
        await setting;
        await withdrawing;
        await advertisement.AdvertiseAsync(None);
        await advertisement.RefreshAsync(None);

        Assert.Equal([true, false], node.Announcements);
        Assert.False(advertisement.Advertised);
    }

    [Theory]
    [InlineData("Unimplemented")]
    [InlineData("PermissionDenied")]
    public async Task A_node_that_refuses_for_good_is_warned_of_once_not_at_every_refresh(string code)
    {
        var node = new HookedLightningNode(new FakeLightningNode("seller"))
        {
            FailAnnouncement = () => new LightningRpcException("UpdateNodeAnnouncement", code, "no"),
        };
        var log = new RecordingLog();
        using var advertisement = new SellerAdvertisement(node, log, TimeProvider.System, TimeSpan.Zero, TimeSpan.FromMinutes(1));

        await advertisement.AdvertiseAsync(None);
        await advertisement.RefreshAsync(None);
        await advertisement.RefreshAsync(None);
        await advertisement.WithdrawAsync(None);

        Assert.Equal(3, node.Announcements.Count(a => a));
        Assert.Single(log.Warnings);
        // The node set nothing: no clear is sent.
        Assert.DoesNotContain(false, node.Announcements);
    }

    /// <summary>bob's own announcement, as bob's node holds it.</summary>
    private static bool OwnBit(PurchaseNetwork net)
    {
        var network = net.Simulation.Network;
        return network.OwnAnnouncement(network.Node("bob")).Features.Contains(PeerProtocol.SellerFeatureBit);
    }
}
