using System.Collections.Concurrent;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Contracts;
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

    /// <summary>This session's store if it exists; never creates one.</summary>
    public static ContractStore? ExistingStore() => ContractStore.TryOpenExisting(StorePath ?? ContractStore.DefaultRoot());

    public static void Remember(VpnQuote quote) => Quotes[quote.Nonce] = quote;

    public static VpnQuote? Recall(string nonce) => Quotes.TryGetValue(nonce, out var quote) ? quote : null;
}
