using System.Net;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>A seller started again without selling exits while exit contracts it sold are still live: those buyers
/// paid for an exit, so its rules stay (out of the configured egress interface), and without one it refuses to start
/// rather than cut them off.</summary>
public sealed class LiveExitContractsTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly IPAddress Seller = IPAddress.Parse("10.77.0.1");

    private static readonly BuyerAdmission LiveExit = new(IPAddress.Parse("10.77.0.2"), TimeSpan.FromHours(1)) { Exit = true };

    private static SellerOptions NodeToNode(string? egress) => new()
    {
        InterfaceName = "ivs-lx",
        Endpoint = "192.0.2.1:51820",
        SoldModes = [TunnelMode.NodeToNode],
        EgressInterface = egress,
    };

    [Fact]
    public async Task Live_exit_contracts_keep_the_exits_rules_when_exits_are_no_longer_sold()
    {
        var wireGuard = new RecordingWireGuard();

        await new BuyerReach(wireGuard.Host, NodeToNode("eth0"), Seller, NullProgressLog.Instance).CloseHostAsync([LiveExit], None);

        Assert.Equal("eth0", wireGuard.FirewallApplied[^1].Rules.Exit?.EgressInterfaceName);
    }

    [Fact]
    public async Task Without_live_exit_contracts_a_seller_that_sells_no_exit_has_no_exit_rules()
    {
        var wireGuard = new RecordingWireGuard();

        await new BuyerReach(wireGuard.Host, NodeToNode("eth0"), Seller, NullProgressLog.Instance)
            .CloseHostAsync([LiveExit with { Exit = false }], None);

        Assert.Null(wireGuard.FirewallApplied[^1].Rules.Exit);
    }

    [Fact]
    public async Task Live_exit_contracts_without_an_egress_interface_refuse_the_start_naming_the_setting()
    {
        var wireGuard = new RecordingWireGuard();

        var e = await Assert.ThrowsAsync<SellerExitException>(() =>
            new BuyerReach(wireGuard.Host, NodeToNode(null), Seller, NullProgressLog.Instance).CloseHostAsync([LiveExit], None));

        Assert.Equal(nameof(SellerOptions.EgressInterface), e.Setting);
        Assert.Contains("EgressInterface", e.Message, StringComparison.Ordinal);
        Assert.Empty(wireGuard.FirewallApplied);
    }
}
