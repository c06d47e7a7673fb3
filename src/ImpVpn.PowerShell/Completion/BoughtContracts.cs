using ImpVpn.Core;
using ImpVpn.Core.Contracts;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Completion;

/// <summary>The contracts this session's store holds as a buyer, for completers: never creates a store, and an
/// unreadable one offers nothing rather than an error at the prompt.</summary>
internal static class BoughtContracts
{
    public static IReadOnlyList<ContractRecord> Read()
    {
        try
        {
            return (VpnSession.ExistingStore()?.All(onUnreadable: _ => { }) ?? []).Where(c => c.Role == ContractRole.Buyer).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
