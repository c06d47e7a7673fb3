using System.Collections.Concurrent;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;

namespace ImpVpn.PowerShell.Session;

/// <summary>The LND connection and store that Connect-VpnNode sets up, shared by every cmdlet of the process.
/// Also remembers quotes by nonce, so Confirm-VpnContract -PubKey -Nonce -Price works as the original API did.</summary>
internal static class VpnSession
{
    private static readonly ConcurrentDictionary<string, VpnQuote> Quotes = new();

    private static readonly object Gate = new();

    public static ILightningNode? Node { get; private set; }

    /// <summary>The node's gRPC host:port, as Connect-VpnNode reached it; null when not connected.</summary>
    public static string? RpcAddress { get; private set; }

    /// <summary>The store Connect-VpnNode chose. Kept after Disconnect-VpnNode: the contracts stay this session's.</summary>
    public static string? StorePath { get; private set; }

    public static async Task ReplaceAsync(ILightningNode node, string rpcAddress, string storePath)
    {
        ILightningNode? old;
        lock (Gate)
        {
            old = Node;
            Node = node;
            RpcAddress = rpcAddress;
            StorePath = storePath;
        }

        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Drops the session's node connection and disposes it; false when there was none. Commands still
    /// running on it (in another runspace) fail their next call to the node; later ones are "not connected".</summary>
    public static async Task<bool> DisconnectAsync(ILightningNode expected)
    {
        lock (Gate)
        {
            if (!ReferenceEquals(Node, expected))
            {
                return false;
            }

            Node = null;
            RpcAddress = null;
        }

        await expected.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>The folder of this session's store, whether or not one exists there yet.</summary>
    public static string StoreRoot => StorePath ?? ContractStore.DefaultRoot();

    public static ContractStore Store() => new(StoreRoot);

    /// <summary>The contracts this store sold, read without the seller's role, if the store exists; never creates one.</summary>
    public static SoldContractsView? ExistingSold() =>
        ContractStore.TryOpenExisting(StoreRoot) is { } store ? new SoldContractsView(store) : null;

    /// <summary>The contracts this machine bought, in this session's store (created if need be).</summary>
    public static BoughtContracts Bought() => new(Store());

    /// <summary>The bought contracts if this session's store exists; never creates one (looking must not).</summary>
    public static BoughtContracts? ExistingBought() =>
        ContractStore.TryOpenExisting(StorePath ?? ContractStore.DefaultRoot()) is { } store ? new BoughtContracts(store) : null;

    public static void Remember(VpnQuote quote) => Quotes[quote.Nonce] = quote;

    public static VpnQuote? Recall(string nonce) => Quotes.TryGetValue(nonce, out var quote) ? quote : null;
}
