using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>An exit's full tunnel as the buyer core drives it: recorded before anything changes, the device marked,
/// no route in the main table, the node's peers kept outside, and undone (interface first) by a failed check, a
/// removal, or the next bring-up after a crash; a node-to-node tunnel never touches it.</summary>
public sealed class FullTunnelSetupTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-fulltunnel-").FullName;
    private readonly BoughtContracts _contracts;
    private readonly RecordingWireGuard _wireGuard = new();
    private readonly RecordingRouting _routing;

    public FullTunnelSetupTests()
    {
        _contracts = new BoughtContracts(new ContractStore(_folder));
        _routing = new RecordingRouting(_contracts, _wireGuard);
    }

    private WireGuardHost Host => _wireGuard.Host with { FullTunnel = _routing };

    private BoughtContract Contract(TunnelMode mode)
    {
        using var sellerKey = WireGuardPrivateKey.Generate();
        using var buyerKey = WireGuardPrivateKey.Generate();
        var allowed = mode == TunnelMode.Exit ? "0.0.0.0/0" : "10.77.0.1/32";
        var contract = BoughtContractTests.Paying() with { Mode = TunnelOfferVocabulary.WireName(mode) };
        contract = contract.Activated(
            new SellerTunnel(sellerKey.PublicKey.ToString(), "192.0.2.1:51820", "10.77.0.2", "10.77.0.1", [allowed], DateTimeOffset.UtcNow.AddHours(1), mode == TunnelMode.Exit ? ["10.77.0.1"] : []),
            new PaymentResult(new byte[32], PaymentStatus.Succeeded, PaymentFailureReason.None, 1_000, 2, new byte[32]));
        _contracts.SavePrivateKey(contract.Id, buyerKey);
        return _contracts.Save(contract);
    }

    private TunnelSetup Setup(ILightningNode? node = null) => new(Host, _contracts, NullProgressLog.Instance, node);

    [Fact]
    public async Task An_exit_is_recorded_before_it_is_applied_the_device_carries_the_tables_mark_and_the_main_table_gets_no_route()
    {
        var contract = Contract(TunnelMode.Exit);
        var node = PeersAdded.Wrap(null, new PeerInfo("02" + new string('b', 64), "198.51.100.9:9735", false), new PeerInfo("02" + new string('c', 64), "abcdefghijklmnop.onion:9735", false), new PeerInfo("02" + new string('d', 64), "127.0.0.1:9735", true));

        Assert.Null(await Setup(node).BringUpAndProveAsync(contract, TimeSpan.FromSeconds(5), None, new FullTunnelOptions { NodeP2pPort = 9911, KeepOutsideAddresses = ["192.168.1.10"] }));

        Assert.Equal(["plan", "apply (recorded)"], _routing.Calls);
        var plan = _contracts.ReadFullTunnel(contract.Id)!;
        Assert.Equal(["192.168.1.10", "198.51.100.9"], plan.KeepOutsideAddresses);
        Assert.Equal([9911], plan.KeepOutsidePorts);
        Assert.Equal([FullTunnelPlan.IPv4], plan.RoutedFamilies);
        Assert.Equal(["10.77.0.1"], plan.Resolvers);
        Assert.True(plan.KillSwitch);
        Assert.Equal((uint)RecordingRouting.Table, _wireGuard.Configs.Single(c => c.Config.Peers.Count > 0).Config.FirewallMark);
        Assert.Empty(_wireGuard.Routes);
    }

    [Fact]
    public async Task A_node_to_node_tunnel_never_touches_the_full_tunnel()
    {
        var contract = Contract(TunnelMode.NodeToNode);

        Assert.Null(await Setup().BringUpAndProveAsync(contract, TimeSpan.FromSeconds(5), None));

        Assert.Empty(_routing.Calls);
        Assert.Null(_contracts.ReadFullTunnel(contract.Id));
        Assert.Null(_wireGuard.Configs.Single(c => c.Config.Peers.Count > 0).Config.FirewallMark);
        Assert.Equal(["10.77.0.1/32"], _wireGuard.Routes.Select(r => r.ToString()));
    }

    [Fact]
    public async Task A_tunnel_that_fails_its_check_goes_whole_interface_first()
    {
        var contract = Contract(TunnelMode.Exit);
        _wireGuard.EchoesAnswered = false;

        Assert.NotNull(await Setup().BringUpAndProveAsync(contract, TimeSpan.FromMilliseconds(300), None));

        Assert.Equal(["plan", "apply (recorded)", "undo (interface gone)"], _routing.Calls);
        Assert.Null(_contracts.ReadFullTunnel(contract.Id));
    }

    [Fact]
    public async Task A_half_applied_full_tunnel_is_undone_at_once()
    {
        var contract = Contract(TunnelMode.Exit);
        _routing.FailApply = true;

        Assert.NotNull(await Setup().BringUpAndProveAsync(contract, TimeSpan.FromSeconds(5), None));

        Assert.Equal(["plan", "apply (recorded)", "undo (interface gone)"], _routing.Calls);
        Assert.Null(_contracts.ReadFullTunnel(contract.Id));
        Assert.Empty(await _wireGuard.ListDevicesAsync(None));
    }

    [Fact]
    public async Task Removal_undoes_what_a_crashed_run_recorded_and_a_failed_undo_keeps_the_record_and_the_tunnel_to_try_again()
    {
        var contract = Contract(TunnelMode.Exit);
        await Setup().BringUpAsync(contract, TimeSpan.FromSeconds(1), None);
        _routing.Calls.Clear();

        _routing.FailUndo = true;
        await Assert.ThrowsAsync<FullTunnelException>(() => new TunnelRemoval(_contracts, Host, NullProgressLog.Instance).RemoveAsync(contract.Id, evenWithTimeLeft: true, None));
        Assert.NotNull(_contracts.ReadFullTunnel(contract.Id));
        Assert.False(_contracts.Get(contract.Id).TunnelRemoved);
        Assert.NotNull(_contracts.ReadPrivateKey(contract.Id));

        _routing.FailUndo = false;
        var removed = await new TunnelRemoval(_contracts, Host, NullProgressLog.Instance).RemoveAsync(contract.Id, evenWithTimeLeft: true, None);

        Assert.True(removed.TunnelRemoved);
        Assert.Null(_contracts.ReadFullTunnel(contract.Id));
        Assert.Equal(["undo (interface gone)", "undo (interface gone)"], _routing.Calls);
    }

    [Fact]
    public async Task Bringing_an_exit_up_again_first_undoes_what_an_earlier_run_left()
    {
        var contract = Contract(TunnelMode.Exit);
        await Setup().BringUpAsync(contract, TimeSpan.FromSeconds(1), None);

        await Setup().BringUpAsync(contract, TimeSpan.FromSeconds(1), None);

        Assert.Equal(["plan", "apply (recorded)", "undo (interface gone)", "plan", "apply (recorded)"], _routing.Calls);
    }

    [Fact]
    public async Task Without_a_client_a_recorded_full_tunnel_is_not_forgotten_by_a_removal()
    {
        var contract = Contract(TunnelMode.Exit);
        await Setup().BringUpAsync(contract, TimeSpan.FromSeconds(1), None);

        await Assert.ThrowsAsync<FullTunnelException>(() => new TunnelRemoval(_contracts, null, NullProgressLog.Instance).RemoveAsync(contract.Id, evenWithTimeLeft: true, None));

        Assert.NotNull(_contracts.ReadFullTunnel(contract.Id));
    }

    [Fact]
    public void The_record_is_owner_only_and_reads_back_whole()
    {
        var plan = new FullTunnelPlan
        {
            InterfaceName = "wgx", Table = 51820, Endpoint = "192.0.2.1:51820", BuyerTunnelAddress = "10.77.0.2", RoutedFamilies = [FullTunnelPlan.IPv4],
            Dns = new TunnelDnsChange(TunnelDnsMethod.ResolvConf, "/etc/resolv.conf", "nameserver 192.168.1.1\n", "nameserver 10.77.0.1\n"),
        };
        _contracts.SaveFullTunnel("c9", plan);

        var read = _contracts.ReadFullTunnel("c9")!;
        Assert.Equal(plan.Dns, read.Dns);
        Assert.Equal(plan.RoutedFamilies, read.RoutedFamilies);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Directory.GetFiles(_folder, "c9.fulltunnel.json", SearchOption.AllDirectories).Single()));
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Records the calls; at apply, whether the plan was already in the store; at undo, whether the
    /// interface was already gone.</summary>
    private sealed class RecordingRouting(BoughtContracts contracts, RecordingWireGuard wireGuard) : IFullTunnelRouting
    {
        public const int Table = 51823;

        public List<string> Calls { get; } = [];

        public bool FailApply { get; set; }

        public bool FailUndo { get; set; }

        public Task<FullTunnelPlan> PlanAsync(FullTunnelPlan draft, CancellationToken cancellationToken)
        {
            Calls.Add("plan");
            return Task.FromResult(draft with { Table = Table });
        }

        public Task ApplyAsync(FullTunnelPlan plan, CancellationToken cancellationToken)
        {
            var recorded = contracts.All().Any(c => contracts.ReadFullTunnel(c.Id) == plan || contracts.ReadFullTunnel(c.Id) is { } r && r.Table == plan.Table);
            Calls.Add(recorded ? "apply (recorded)" : "apply (NOT recorded)");
            return FailApply ? throw new FullTunnelException(plan.InterfaceName, "simulated") : Task.CompletedTask;
        }

        public async Task UndoAsync(FullTunnelPlan plan, CancellationToken cancellationToken)
        {
            var gone = !(await wireGuard.ListDevicesAsync(cancellationToken)).Contains(plan.InterfaceName);
            Calls.Add(gone ? "undo (interface gone)" : "undo (interface still up)");
            if (FailUndo)
            {
                throw new FullTunnelException(plan.InterfaceName, "simulated");
            }
        }
    }
}
