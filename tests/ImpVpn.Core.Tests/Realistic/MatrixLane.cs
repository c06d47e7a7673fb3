using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Store;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.LndSim.Hosting;

namespace ImpVpn.Core.Tests.Realistic;

/// <summary>One buyer of the matrix: its node (hooked, so a fault can strike the moment its payment starts), its own
/// store and a WireGuard whose tunnels work, so every purchase goes through the tunnel check and the claim.</summary>
internal sealed class MatrixLane : IAsyncDisposable
{
    private readonly LndNode _node;

    public MatrixLane(int hops, SimNode simNode, LndNode node, string storeFolder)
    {
        Hops = hops;
        SimNode = simNode;
        _node = node;
        Node = new HookedLightningNode(node);
        Contracts = new BoughtContracts(new ContractStore(storeFolder));
        Buyer = new TestBuyer(Node, Contracts, WireGuard.Host);
    }

    /// <summary>How many channels the payment crosses to reach the seller.</summary>
    public int Hops { get; }

    public SimNode SimNode { get; }

    public HookedLightningNode Node { get; }

    public BoughtContracts Contracts { get; }

    public RecordingWireGuard WireGuard { get; } = new();

    public TestBuyer Buyer { get; }

    public long Msat => SimNode.LocalBalanceMsat;

    /// <summary>Whether a payment hash is one this lane's buyer paid or is paying (for a purchase or a refresh).</summary>
    public bool Owns(string paymentHash) =>
        Contracts.All().Any(c => c.PaymentHash == paymentHash || c.RefreshBeingPaid?.PaymentHash == paymentHash);

    /// <summary>The payment hash of the purchase or refresh this lane's buyer is paying: recorded before the node is
    /// asked to pay, and one at a time, since a lane runs its operations one after another.</summary>
    public string? PaymentBeingMade() =>
        Contracts.All().Select(c => c.RefreshBeingPaid?.PaymentHash ?? (c.State == BoughtContractState.Paying ? c.PaymentHash : null))
            .FirstOrDefault(hash => hash is not null);

    public async ValueTask DisposeAsync()
    {
        await Buyer.DisposeAsync();
        await _node.DisposeAsync();
    }
}
