using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ImpVpn.PowerShell.Completion;

/// <summary>Completes contract ids of the tunnels in this session's store, newest first, with state and expiry as tooltip.</summary>
public sealed class TunnelIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionText.Matching(wordToComplete, CompletableContracts.Read()
            .OrderByDescending(c => c.CreatedAt)
            .Select(c => (c.Id, $"{c.State}, expires {c.ExpiresAt:u}, seller {c.SellerPubKey}")))
            .ToList();
}
