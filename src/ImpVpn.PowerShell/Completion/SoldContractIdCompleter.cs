using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImpVpn.Core.Selling;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Completion;

/// <summary>Completes the ids of the live contracts this session's store sold, newest first, with state, buyer
/// address and expiry as tooltip. Never creates a store; an unreadable one offers nothing rather than an error at
/// the prompt.</summary>
public sealed class SoldContractIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionText.Matching(wordToComplete, Live()
            .OrderByDescending(c => c.CreatedAt)
            .Select(c => (c.Id, $"{c.State}, {c.BuyerTunnelAddress}, expires {c.ExpiresAt:u}, buyer {c.BuyerPubKey}")))
            .ToList();

    private static IReadOnlyList<SoldContract> Live()
    {
        try
        {
            return VpnSession.ExistingSold()?.All(includeArchived: false, onUnreadable: _ => { }) ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
