using System.Diagnostics;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>One seller (bob) on the simulator with its default limits and a small pool (/28: 13 buyer addresses),
/// alice as an honest buyer with a channel, carol as a buyer with a channel who abuses its own contract, and any
/// number of hostile peers. The seller's clock is moved by hand, so lapses happen when a test says.</summary>
public sealed class HostileSellerFixture : IAsyncLifetime
{
    internal const string Interface = "ivs-hostile";

    internal PurchaseNetwork Net { get; private set; } = null!;

    internal VpnSeller Seller { get; private set; } = null!;

    internal RecordingWireGuard WireGuard { get; } = new();

    internal ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    internal LndNode CarolNode { get; private set; } = null!;

    internal static SellerOptions Options { get; } = new()
    {
        InterfaceName = Interface,
        Endpoint = "192.0.2.1:51820",
        Subnet = IpPrefix.Parse("10.77.0.0/28"),
    };

    internal static int PoolSize => 13;

    public async Task InitializeAsync()
    {
        Net = await PurchaseNetwork.StartAsync();
        await Net.Simulation.OpenChannelAsync("carol", "bob", 1_000_000);
        CarolNode = await LndNode.ConnectAsync(PurchaseNetwork.OptionsFor(Net.Simulation["carol"]), true, CancellationToken.None);
        Seller = await Net.StartSellerAsync(WireGuard, Options, clock: Clock);
        await HostilePeer.Join(Net.Simulation, "warden", "bob").WaitUntilServedAsync();
    }

    public async Task DisposeAsync()
    {
        SellerReport.Write();
        await CarolNode.DisposeAsync();
        await Net.DisposeAsync();
    }

    internal Snapshot Take()
    {
        var network = Net.Simulation.Network;
        var contracts = Seller.Contracts;
        var (answers, bytes) = Seller.Endpoint.RememberedAnswers;
        return new Snapshot(
            network.Read(() => network.Node("bob").Invoices.Count),
            Net.BobMsat / 1000,
            contracts.Live.Count,
            contracts.Open,
            contracts.Active,
            contracts.Live.Count(c => c.HoldsAddress),
            WireGuard.PeersOf(Interface).Count,
            answers,
            bytes,
            Seller.Endpoint.TrackedPeers);
    }

    /// <summary>The process's memory, where the seller, the simulator and the test run together.</summary>
    internal static string Memory()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return $"managed heap {managed / 1_048_576.0:0.0} MB, working set {process.WorkingSet64 / 1_048_576.0:0.0} MB";
    }

    internal sealed record Snapshot(int Invoices, long SellerSat, int Live, int Open, int Active, int Leased, int WireGuardPeers, int Answers, long AnswerBytes, int TrackedPeers)
    {
        public string ChangeTo(Snapshot after)
        {
            var changes = new List<string>();
            void Add(string what, long before, long now)
            {
                if (now != before)
                {
                    changes.Add($"{what} {before}→{now}");
                }
            }

            Add("live contracts", Live, after.Live);
            Add("open", Open, after.Open);
            Add("active", Active, after.Active);
            Add("leased addresses", Leased, after.Leased);
            Add("WireGuard peers", WireGuardPeers, after.WireGuardPeers);
            Add("remembered answers", Answers, after.Answers);
            Add("tracked peers", TrackedPeers, after.TrackedPeers);
            return changes.Count == 0 ? "nothing" : string.Join(", ", changes);
        }
    }
}
