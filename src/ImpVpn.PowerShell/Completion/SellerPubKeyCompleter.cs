using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Completion;

/// <summary>
/// Completes seller pubkeys: sellers of past contracts first (the likeliest to be asked again), then the peers
/// of the connected LND node. The node is asked with a short deadline so a slow node never stalls the prompt.
/// </summary>
public sealed class SellerPubKeyCompleter : IArgumentCompleter
{
    private static readonly TimeSpan PeerDeadline = TimeSpan.FromSeconds(2);

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var candidates = new List<(string Value, string ToolTip)>();
        candidates.AddRange(Sellers());
        candidates.AddRange(Peers());
        return CompletionText.Matching(wordToComplete, candidates).ToList();
    }

    private static IEnumerable<(string, string)> Sellers() =>
        CompletableContracts.Read()
            .GroupBy(c => c.SellerPubKey, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Max(c => c.CreatedAt))
            .Select(g => (g.Key, $"seller of {g.Count()} contract(s), last {g.Max(c => c.CreatedAt):u}"));

    private static List<(string, string)> Peers()
    {
        if (VpnSession.Node is not { } node)
        {
            return [];
        }

        try
        {
            using var deadline = new CancellationTokenSource(PeerDeadline);
            var peers = node.ListPeersAsync(deadline.Token).WaitAsync(deadline.Token).GetAwaiter().GetResult();
            return peers.Select(p => (p.PubKey, $"connected peer at {p.Address}")).ToList();
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or Core.Lightning.LightningException)
        {
            return [];
        }
    }
}
