using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// The core's typed exceptions as PowerShell ErrorRecords: a stable id and category for each (documented in
/// about_ImpVpn), and, where the user can do something about it, the remedy in ErrorDetails.RecommendedAction.
/// The core states facts; only this layer knows the cmdlets and parameters a remedy names.
/// </summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception e, object? target = null)
    {
        var record = e switch
        {
            VpnCmdletException wrapped => wrapped.ErrorRecord,
            PurchaseException p => new ErrorRecord(p, "ImpVpn." + p.Error, CategoryOf(p.Error), target),
            ContractNotFoundException => new ErrorRecord(e, "ImpVpn.ContractNotFound", ErrorCategory.ObjectNotFound, target),
            CertificateMismatchException => new ErrorRecord(e, "ImpVpn.CertificateMismatch", ErrorCategory.SecurityError, target),
            MacaroonException => new ErrorRecord(e, "ImpVpn.MacaroonRefused", ErrorCategory.AuthenticationError, target),
            NodeUnreachableException => new ErrorRecord(e, "ImpVpn.NodeUnreachable", ErrorCategory.ConnectionError, target),
            NodeNotSyncedException => new ErrorRecord(e, "ImpVpn.NodeNotSynced", ErrorCategory.ResourceUnavailable, target),
            WrongNetworkException => new ErrorRecord(e, "ImpVpn.WrongNetwork", ErrorCategory.InvalidData, target),
            LightningException => new ErrorRecord(e, "ImpVpn.LightningError", ErrorCategory.InvalidResult, target),
            WireGuardPrerequisiteException => new ErrorRecord(e, "ImpVpn.WireGuardPrerequisites", ErrorCategory.NotInstalled, target),
            WireGuardException => new ErrorRecord(e, "ImpVpn.WireGuardError", ErrorCategory.DeviceError, target),
            ProtocolException => new ErrorRecord(e, "ImpVpn.ProtocolError", ErrorCategory.ProtocolError, target),
            ArgumentException or FormatException => new ErrorRecord(e, "ImpVpn.InvalidArgument", ErrorCategory.InvalidArgument, target),
            StoreBusyException => new ErrorRecord(e, "ImpVpn.StoreBusy", ErrorCategory.ResourceBusy, target),
            CorruptContractException => new ErrorRecord(e, "ImpVpn.StoreCorrupt", ErrorCategory.InvalidData, target),
            FileNotFoundException or DirectoryNotFoundException => new ErrorRecord(e, "ImpVpn.FileNotFound", ErrorCategory.ObjectNotFound, target),
            IOException or UnauthorizedAccessException => new ErrorRecord(e, "ImpVpn.StoreError", ErrorCategory.WriteError, target),
            TimeoutException => new ErrorRecord(e, "ImpVpn.Timeout", ErrorCategory.OperationTimeout, target),
            InvalidOperationException => new ErrorRecord(e, "ImpVpn.InvalidOperation", ErrorCategory.InvalidOperation, target),
            _ => new ErrorRecord(e, "ImpVpn.Unexpected", ErrorCategory.NotSpecified, target),
        };

        if (record.ErrorDetails is null && RemedyFor(e) is { } remedy)
        {
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = remedy };
        }

        return record;
    }

    private static ErrorCategory CategoryOf(PurchaseError error) => error switch
    {
        PurchaseError.PriceAboveMaximum or PurchaseError.BudgetExhausted => ErrorCategory.LimitsExceeded,
        PurchaseError.QuoteExpired => ErrorCategory.InvalidOperation,
        PurchaseError.InvoiceMismatch => ErrorCategory.SecurityError,
        PurchaseError.SellerUnreachable => ErrorCategory.ConnectionError,
        PurchaseError.TunnelSetupFailed => ErrorCategory.DeviceError,
        PurchaseError.TunnelStillActive or PurchaseError.PaymentUnderWay or PurchaseError.TunnelRemoved => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.InvalidResult,
    };

    private static string? RemedyFor(Exception e) => e switch
    {
        PurchaseException { Error: PurchaseError.PriceAboveMaximum } => "Raise -MaxPriceSat (or -TotalBudgetSat) if the price is acceptable, or ask another seller.",
        PurchaseException { Error: PurchaseError.BudgetExhausted } => "Raise -TotalBudgetSat, or let the next scheduled run refresh the rest.",
        PurchaseException { Error: PurchaseError.QuoteExpired } => "Request a new quote with Request-VpnQuote and confirm that one.",
        PurchaseException { Error: PurchaseError.SellerUnreachable } => "Give the seller's node address as <pubkey>@host:port to Request-VpnQuote, or check that your node can reach it.",
        PurchaseException { Error: PurchaseError.PaymentFailed } => "Check your node's channels and outbound balance, or allow a higher routing fee with -FeeLimitSat.",
        PurchaseException { Error: PurchaseError.ActivationFailed, ContractId: { } id } =>
            $"If your payment is still held, Confirm-VpnContract -Id {id} finishes the purchase; otherwise it returns to you when the seller's invoice lapses.",
        PurchaseException { Error: PurchaseError.TunnelSetupFailed, ContractId: { } id } =>
            $"Nothing is paid again: fix what stopped the interface, then run Confirm-VpnContract -Id {id} to set the tunnel up, or Export-VpnTunnelConfig -Id {id} to use it on another device.",
        PurchaseException { Error: PurchaseError.TunnelStillActive } => "Add -Force to remove it anyway (nothing is refunded for the time left).",
        PurchaseException { Error: PurchaseError.PaymentUnderWay, ContractId: { } id } =>
            $"Finish the payment first (Confirm-VpnContract -Id {id} for a purchase, Update-VpnContract -Id {id} for a refresh), then remove the tunnel.",
        PurchaseException { Error: PurchaseError.TunnelRemoved } => "Buy a new tunnel: Request-VpnQuote | Confirm-VpnContract.",
        ContractNotFoundException => "List the tunnels bought in this store with Get-VpnTunnel (Connect-VpnNode -StorePath selects another store).",
        WireGuardPrerequisiteException => "Install what is missing and run as root (or with CAP_NET_ADMIN as an ambient capability); with -ConfigOnly, buying and selling work without touching interfaces.",
        StoreBusyException => "Another ImpVpn process (a scheduled refresh, say) is paying; try again when it has finished.",
        CorruptContractException => "Move the file aside if it is not needed; ImpVpn leaves it untouched.",
        _ => null,
    };
}
