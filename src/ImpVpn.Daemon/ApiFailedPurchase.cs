using ImpVpn.Core.Buying;
using ImpVpn.Core.Store;

namespace ImpVpn.Daemon;

/// <summary>
/// A purchase's <c>failed</c> event completed from the store. Any failure (the daemon's stop, the node, the seller,
/// the store, not only the core's PurchaseException) may come after the contract was recorded, and even after it
/// was paid: the contract found by the quote gives the event its id, so the proof of payment can be found, and
/// moneyMoved when the contract shows the payment settled.
/// </summary>
internal static class ApiFailedPurchase
{
    public static ApiEvent WithContract(ApiEvent failed, BoughtContracts contracts, VpnQuote quote)
    {
        ArgumentNullException.ThrowIfNull(failed);
        ArgumentNullException.ThrowIfNull(contracts);
        try
        {
            return contracts.FindByQuote(quote) is { } recorded
                ? failed with { ContractId = recorded.Id, MoneyMoved = failed.MoneyMoved || recorded.PaidSat > 0 }
                : failed;
        }
        catch (Exception e) when (e is CorruptContractException or IOException or UnauthorizedAccessException)
        {
            return failed with { Error = $"{failed.Error} (The store could not be searched for this quote's contract: {e.Message})" };
        }
    }
}
