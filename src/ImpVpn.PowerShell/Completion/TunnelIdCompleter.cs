using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImpVpn.Core.Contracts;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Completion;

/// <summary>Completes contract ids of the tunnels in this session's store, newest first, with state and expiry as tooltip.</summary>
public sealed class TunnelIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var contracts = VpnSession.ExistingStore()?.All() ?? [];
            return CompletionText.Matching(wordToComplete, contracts
                .Where(c => c.Role == ContractRole.Buyer)
                .OrderByDescending(c => c.CreatedAt)
                .Select(c => (c.Id, $"{c.State}, expires {c.ExpiresAt:u}, seller {c.PeerPubKey}")))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            // Completion must never throw at the user; an unreadable store simply offers nothing.
            return [];
        }
    }
}
