using ImpVpn.Core.Buying;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Completion;

/// <summary>The contracts this session's store holds as a buyer, for completers: never creates a store, and an
/// unreadable one offers nothing rather than an error at the prompt.</summary>
internal static class CompletableContracts
{
    public static IReadOnlyList<BoughtContract> Read()
    {
        try
        {
            return VpnSession.ExistingBought()?.All(onUnreadable: _ => { }) ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
