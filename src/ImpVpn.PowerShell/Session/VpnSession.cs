using System.Collections.Concurrent;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Store;

namespace ImpVpn.PowerShell.Session;

/// <summary>The LND connection and store that Connect-VpnNode sets up, shared by every cmdlet of the process.
/// Also remembers quotes by nonce, so Confirm-VpnContract -PubKey -Nonce -Price works as the original API did.</summary>
internal static class VpnSession
{
    private static readonly ConcurrentDictionary<string, VpnQuote> Quotes = new();

    public static ILightningNode? Node { get; private set; }

    public static string? StorePath { get; private set; }

    public static async Task ReplaceAsync(ILightningNode node, string storePath)
    {
        var old = Node;
        Node = node;
        StorePath = storePath;
        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }
    }

    public static ContractStore Store() => new(StorePath ?? ContractStore.DefaultRoot());

    /// <summary>The contracts this machine bought, in this session's store (created if need be).</summary>
    public static BoughtContracts Bought() => new(Store());

    /// <summary>The bought contracts if this session's store exists; never creates one (looking must not).</summary>
    public static BoughtContracts? ExistingBought() =>
        ContractStore.TryOpenExisting(StorePath ?? ContractStore.DefaultRoot()) is { } store ? new BoughtContracts(store) : null;

    public static void Remember(VpnQuote quote) => Quotes[quote.Nonce] = quote;

    public static VpnQuote? Recall(string nonce) => Quotes.TryGetValue(nonce, out var quote) ? quote : null;
}
