using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A purchase this machine could not finish is refused before anything is accepted or paid: an exit where
/// ImpVpn cannot route all traffic, a port forward without a tunnel up here, and an exit beside any other tunnel.</summary>
public sealed class TunnelModeCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-modecheck-").FullName;
    private readonly BoughtContracts _contracts;
    private readonly RecordingWireGuard _wireGuard = new();

    public TunnelModeCheckTests() => _contracts = new BoughtContracts(new ContractStore(_folder));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static VpnQuote Quote(TunnelMode mode) =>
        new("02" + new string('a', 64), "00ff", 1_000, TimeSpan.FromHours(1), Now.AddMinutes(5), "ipv4", TunnelOfferVocabulary.WireName(mode), "promise");

    private TunnelSetup Linux => new(_wireGuard.Host with { FullTunnel = new Capable(true), SourceRouting = new RecordingSourceRouting() }, _contracts, NullProgressLog.Instance);

    private static BoughtContract Up(TunnelMode mode, string id, bool removed = false, DateTimeOffset? expires = null)
    {
        var contract = BoughtContract.Paying(id, Quote(mode), new string('1', 64), new string('2', 64), "lnbcrt1", "buyerkey", "10.77.0.2", "iv" + id).Activated(
            new SellerTunnel("sellerkey", "192.0.2.1:51820", "10.77.0.2", "10.77.0.1", ["10.77.0.1/32"], expires ?? Now.AddHours(1)),
            new PaymentResult(new byte[32], PaymentStatus.Succeeded, PaymentFailureReason.None, 1_000, 2, new byte[32]));
        return removed ? contract.Removed() : contract;
    }

    private static void Refused(Action check, string why)
    {
        var error = Assert.Throws<PurchaseException>(check);
        Assert.Equal(PurchaseError.OfferNotSupported, error.Error);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was accepted or paid.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_mode_is_bought_on_a_machine_that_can_set_it_up()
    {
        foreach (var mode in Enum.GetValues<TunnelMode>())
        {
            TunnelModeCheck.RequireUsable(Quote(mode), new BuyerOptions(), Linux, [], Now);
        }
    }

    [Fact]
    public void An_exit_is_refused_where_all_traffic_cannot_be_routed_but_bought_config_only()
    {
        var windows = new TunnelSetup(_wireGuard.Host with { FullTunnel = new Capable(false) }, _contracts, NullProgressLog.Instance);

        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.Exit), new BuyerOptions(), windows, [], Now), "configuration only");
        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.Exit), new BuyerOptions(), new TunnelSetup(_wireGuard.Host, _contracts, NullProgressLog.Instance), [], Now), "Linux only");
        TunnelModeCheck.RequireUsable(Quote(TunnelMode.Exit), new BuyerOptions { ConfigOnly = true }, windows, [], Now);
    }

    [Fact]
    public void A_port_forward_needs_its_tunnel_up_here_before_the_claim()
    {
        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.PortForward), new BuyerOptions { ConfigOnly = true }, Linux, [], Now), "connecting back");
        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.PortForward), new BuyerOptions(), null, [], Now), "connecting back");
        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.PortForward), new BuyerOptions(), new TunnelSetup(_wireGuard.Host, _contracts, NullProgressLog.Instance), [], Now), "source address");
    }

    [Fact]
    public void An_exit_and_another_tunnel_never_share_the_machine()
    {
        var nodeToNode = Up(TunnelMode.NodeToNode, "n1");
        var exit = Up(TunnelMode.Exit, "e1");

        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.Exit), new BuyerOptions(), Linux, [nodeToNode], Now), "ivn1");
        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.NodeToNode), new BuyerOptions(), Linux, [exit], Now), "ive1");
        Refused(() => TunnelModeCheck.RequireUsable(Quote(TunnelMode.PortForward), new BuyerOptions(), Linux, [exit], Now), "ive1");

        // Removed or run out, a tunnel holds nothing here; and a configuration-only purchase changes nothing here.
        TunnelModeCheck.RequireUsable(Quote(TunnelMode.Exit), new BuyerOptions(), Linux, [Up(TunnelMode.NodeToNode, "n2", removed: true), Up(TunnelMode.NodeToNode, "n3", expires: Now.AddMinutes(-1))], Now);
        TunnelModeCheck.RequireUsable(Quote(TunnelMode.NodeToNode), new BuyerOptions { ConfigOnly = true }, Linux, [exit], Now);
        TunnelModeCheck.RequireUsable(Quote(TunnelMode.NodeToNode), new BuyerOptions(), Linux, [nodeToNode], Now);
    }

    private sealed class Capable(bool supported) : IFullTunnelRouting
    {
        public bool Supported => supported;

        public Task<FullTunnelPlan> PlanAsync(FullTunnelPlan draft, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ApplyAsync(FullTunnelPlan plan, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task UndoAsync(FullTunnelPlan plan, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
