using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Selling;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

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
            DaemonConfigurationException => new ErrorRecord(e, "ImpVpn.DaemonConfigurationInvalid", ErrorCategory.InvalidArgument, target),
            ServiceManagerUnavailableException => new ErrorRecord(e, "ImpVpn.ServiceManagerUnavailable", ErrorCategory.ResourceUnavailable, target),
            ServiceManagerException => new ErrorRecord(e, "ImpVpn.ServiceManagerFailed", ErrorCategory.InvalidResult, target),
            PurchaseException p => new ErrorRecord(p, "ImpVpn." + p.Error, CategoryOf(p.Error), target),
            ContractNotFoundException or SoldContractNotFoundException => new ErrorRecord(e, "ImpVpn.ContractNotFound", ErrorCategory.ObjectNotFound, target),
            SellerNotRunningException => new ErrorRecord(e, "ImpVpn.ProviderNotRunning", ErrorCategory.ObjectNotFound, target),
            SellerControlException c => new ErrorRecord(e, "ImpVpn.ProviderControlFailed", c.AccessDenied ? ErrorCategory.PermissionDenied : ErrorCategory.ConnectionError, target),
            CertificateMismatchException => new ErrorRecord(e, "ImpVpn.CertificateMismatch", ErrorCategory.SecurityError, target),
            MacaroonException => new ErrorRecord(e, "ImpVpn.MacaroonRefused", ErrorCategory.AuthenticationError, target),
            NodeUnreachableException => new ErrorRecord(e, "ImpVpn.NodeUnreachable", ErrorCategory.ConnectionError, target),
            NodeNotSyncedException => new ErrorRecord(e, "ImpVpn.NodeNotSynced", ErrorCategory.ResourceUnavailable, target),
            WrongNetworkException => new ErrorRecord(e, "ImpVpn.WrongNetwork", ErrorCategory.InvalidData, target),
            LightningException => new ErrorRecord(e, "ImpVpn.LightningError", ErrorCategory.InvalidResult, target),
            WireGuardPrerequisiteException => new ErrorRecord(e, "ImpVpn.WireGuardPrerequisites", ErrorCategory.NotInstalled, target),
            SellerExitException { InnerException: SellerFirewallException } => new ErrorRecord(e, "ImpVpn.EgressInterfaceNotFound", ErrorCategory.ObjectNotFound, target),
            SellerExitException => new ErrorRecord(e, "ImpVpn.ExitSettingInvalid", ErrorCategory.InvalidArgument, target),
            SellerFirewallException { Unavailable: true } => new ErrorRecord(e, "ImpVpn.FirewallUnavailable", ErrorCategory.NotInstalled, target),
            SellerFirewallException => new ErrorRecord(e, "ImpVpn.FirewallFailed", ErrorCategory.SecurityError, target),
            FullTunnelException => new ErrorRecord(e, "ImpVpn.FullTunnelFailed", ErrorCategory.DeviceError, target),
            WireGuardException => new ErrorRecord(e, "ImpVpn.WireGuardError", ErrorCategory.DeviceError, target),
            FullTunnelNotSupportedException => new ErrorRecord(e, "ImpVpn.FullTunnelNotSupported", ErrorCategory.NotImplemented, target),
            PlatformNotSupportedException => new ErrorRecord(e, "ImpVpn.PlatformNotSupported", ErrorCategory.NotImplemented, target),
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

    /// <summary>No node connection in this session (never connected, or Disconnect-VpnNode dropped it).</summary>
    public static ErrorRecord NotConnected() =>
        new(new InvalidOperationException("Not connected to a Lightning node. Run Connect-VpnNode first."),
            "ImpVpn.NotConnected", ErrorCategory.ConnectionError, null)
        {
            ErrorDetails = new ErrorDetails("Not connected to a Lightning node. Run Connect-VpnNode first.")
            {
                RecommendedAction = "Run Connect-VpnNode (with -LndDirectory, -RpcAddress -TlsCertPath -MacaroonPath, or -LndConnectUri) to connect this session to your LND node.",
            },
        };

    /// <summary>A payment above the user's threshold where nobody can be asked to confirm it.</summary>
    public static ErrorRecord ConfirmationRequired(long mostSat, long threshold, string action, object target) =>
        new(new InvalidOperationException($"{action}: it may cost up to {mostSat} sat, above the confirmation threshold of {threshold} sat, and this session cannot ask. Nothing was paid."),
            "ImpVpn.ConfirmationRequired", ErrorCategory.PermissionDenied, target)
        {
            ErrorDetails = new ErrorDetails($"{action}: it may cost up to {mostSat} sat, above the confirmation threshold of {threshold} sat, and this session cannot ask. Nothing was paid.")
            {
                RecommendedAction = "Add -Force to confirm this payment on the command line, raise -ConfirmAboveSat (or $ImpVpnConfirmAboveSat), or run the command in an interactive session to be asked.",
            },
        };

    /// <summary>$ImpVpnConfirmAboveSat holding something that is not a number of sat.</summary>
    public static ErrorRecord InvalidThreshold(object value) =>
        new(new ArgumentException($"$ImpVpnConfirmAboveSat must be a whole number of sat (0 or more), not '{value}'."), "ImpVpn.InvalidArgument", ErrorCategory.InvalidArgument, value)
        {
            ErrorDetails = new ErrorDetails($"$ImpVpnConfirmAboveSat must be a whole number of sat (0 or more), not '{value}'.")
            {
                RecommendedAction = "Set $ImpVpnConfirmAboveSat to a number of sat, such as 5000, or remove it (Remove-Variable ImpVpnConfirmAboveSat -Scope Global).",
            },
        };

    private static ErrorCategory CategoryOf(PurchaseError error) => error switch
    {
        PurchaseError.BudgetRequired or PurchaseError.OfferNotSold or PurchaseError.DurationNotSold => ErrorCategory.InvalidArgument,
        PurchaseError.OfferNotSupported => ErrorCategory.NotImplemented,
        PurchaseError.PriceAboveMaximum or PurchaseError.BudgetExhausted => ErrorCategory.LimitsExceeded,
        PurchaseError.NoRoute => ErrorCategory.ResourceUnavailable,
        PurchaseError.QuoteExpired => ErrorCategory.InvalidOperation,
        PurchaseError.InvoiceMismatch or PurchaseError.SellerAnswerRefused => ErrorCategory.SecurityError,
        PurchaseError.SellerUnreachable => ErrorCategory.ConnectionError,
        PurchaseError.TunnelSetupFailed => ErrorCategory.DeviceError,
        PurchaseError.TunnelCheckFailed => ErrorCategory.ConnectionError,
        PurchaseError.TunnelStillActive or PurchaseError.PaymentUnderWay or PurchaseError.TunnelRemoved => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.InvalidResult,
    };

    private static string? RemedyFor(Exception e) => e switch
    {
        MacaroonException { Reason: MacaroonProblem.FileMissing or MacaroonProblem.NotAMacaroon } =>
            "Give Connect-VpnNode the node's macaroon file: -MacaroonPath (with -RpcAddress and -TlsCertPath), or -LndDirectory and " +
            "-Network to use <LND directory>/data/chain/bitcoin/<network>/admin.macaroon, or -LndConnectUri with an lndconnect URI.",
        MacaroonException { Reason: MacaroonProblem.Unreadable } =>
            "Run Connect-VpnNode as a user who may read the macaroon file (the user LND runs as, or one given read access to it).",
        MacaroonException { Reason: MacaroonProblem.MissingFromUri } =>
            "Give Connect-VpnNode -LndConnectUri a URI with a macaroon parameter (lndconnect://host:port?cert=...&macaroon=...), " +
            "or give -RpcAddress, -TlsCertPath and -MacaroonPath.",
        MacaroonException { Reason: MacaroonProblem.Refused } =>
            "Give Connect-VpnNode this node's own macaroon, with the permissions ImpVpn needs (admin.macaroon has them): -MacaroonPath, " +
            "-LndDirectory with the node's -Network, or a fresh lndconnect URI.",
        CertificateMismatchException { Reason: CertificateProblem.NotPinned } =>
            "LND's certificate is self-signed, so ImpVpn needs the node's tls.cert: give Connect-VpnNode -TlsCertPath (with -RpcAddress " +
            "and -MacaroonPath), or -LndDirectory, or an lndconnect URI with a cert parameter.",
        CertificateMismatchException { Reason: CertificateProblem.DiffersFromPinned } =>
            "If LND regenerated its certificate (tlsautorefresh, or a deleted tls.cert), run Connect-VpnNode again with the new tls.cert: " +
            "-TlsCertPath, -LndDirectory, or a fresh lndconnect URI. Otherwise check -RpcAddress: another node may answer there.",
        CertificateMismatchException { Reason: CertificateProblem.NotACertificate } =>
            "Give Connect-VpnNode -TlsCertPath the node's tls.cert as LND wrote it (PEM), or -LndDirectory.",
        TlsCertificateNotFoundException =>
            "Give Connect-VpnNode the node's tls.cert: -TlsCertPath (with -RpcAddress and -MacaroonPath), or -LndDirectory with LND's " +
            "directory (tls.cert lies at its top), or -LndConnectUri with an lndconnect URI.",
        NodeUnreachableException u =>
            $"Check that LND is running and that its RPC listens at {u.Address}; if it listens elsewhere, give Connect-VpnNode that " +
            "address with -RpcAddress (LND's default is localhost:10009).",
        NodeNotSyncedException =>
            "Wait until LND has synced to the chain ('lncli getinfo' shows synced_to_chain: true), then connect again.",
        WrongNetworkException w =>
            $"Give Connect-VpnNode -Network {w.Actual} to use this node (without -Network, mainnet is expected), or connect to a node on {w.Expected}.",
        PurchaseException { Error: PurchaseError.PriceAboveMaximum, Kind: PaymentKind.Refresh } =>
            "Without -MaxPriceSat a refresh pays at most the contract's own price per hour; if the new price is acceptable, give -MaxPriceSat with at least that much, or buy from another seller.",
        PurchaseException { Error: PurchaseError.PriceAboveMaximum } => "Raise -MaxPriceSat (or -TotalBudgetSat) if the price is acceptable, or ask another seller.",
        PurchaseException { Error: PurchaseError.BudgetRequired } =>
            $"Give Update-VpnContract -TotalBudgetSat (the most the run may spend, fees included), or set the environment variable {PaymentCeiling.BudgetVariable} for every scheduled run.",
        PurchaseException { Error: PurchaseError.BudgetExhausted } => "Raise -TotalBudgetSat, or let the next scheduled run refresh the rest.",
        PurchaseException { Error: PurchaseError.OfferNotSold } =>
            "Nothing was accepted or paid. Ask this seller for a mode and address family it sells (its answer above names them) with Request-VpnQuote -Mode and -AddressFamily, or ask another seller.",
        PurchaseException { Error: PurchaseError.DurationNotSold, SoldDurations: { } sold } =>
            $"Nothing was accepted or paid. Ask this seller for a duration from {sold.Shortest} to {sold.Longest} (Request-VpnQuote -Duration), or ask another seller.",
        PurchaseException { Error: PurchaseError.DurationNotSold } =>
            "Nothing was accepted or paid. Ask this seller for a duration it sells (its answer above names them) with Request-VpnQuote -Duration, or ask another seller.",
        PurchaseException { Error: PurchaseError.OfferNotSupported } =>
            "Nothing was accepted or paid. Request a mode and address family this machine sets up (Request-VpnQuote -Mode NodeToNode, Exit or PortForward, -AddressFamily IPv4 or IPv6); an exit needs Linux and no other tunnel up here (Remove-VpnTunnel), or Confirm-VpnContract -ConfigOnly for another device; a port forward is set up here, never with -ConfigOnly.",
        PurchaseException { Error: PurchaseError.QuoteExpired } => "Request a new quote with Request-VpnQuote and confirm that one.",
        PurchaseException { Error: PurchaseError.SellerUnreachable, ContractId: null } => "Give the seller's node address as <pubkey>@host:port to Request-VpnQuote, or check that your node can reach it.",
        PurchaseException { Error: PurchaseError.TunnelSetupFailed, ContractId: { } id } =>
            $"Your payment went through and contract {id} holds its proof. Nothing is paid again: fix what stopped the interface, then run Confirm-VpnContract -Id {id} to set the tunnel up, or Export-VpnTunnelConfig -Id {id} to use it on another device.",
        PurchaseException { Error: PurchaseError.TunnelCheckFailed, ContractId: { } id } =>
            $"Nothing was paid: the seller cannot take the held payment without the preimage, which stayed here, and it returns when the seller cancels. If the fault was on this side (a firewall dropping UDP, say), Confirm-VpnContract -Id {id} tries the tunnel again before the seller's claim window closes.",
        PurchaseException { Error: PurchaseError.SellerAnswerRefused, MoneyMoved: false, ContractId: { } } =>
            "Nothing was paid: the preimage stayed on this machine, so the seller cannot take the held payment, which returns when the seller cancels. Buy from another seller.",
        PurchaseException { MoneyMoved: true, ContractId: { } id } p =>
            $"Your payment went through and contract {id} holds its proof. Run {Finishing(p, id)} to finish; nothing is paid again.",
        PurchaseException { Error: PurchaseError.PaymentUnfinished, ContractId: { } id } p =>
            $"Run {Finishing(p, id)}: it asks your node about this payment first and never pays twice.",
        PurchaseException { Error: PurchaseError.ActivationFailed, ContractId: { } id } p =>
            $"The seller cannot take a held payment without the preimage this machine keeps: it returns to you when the seller cancels. While it is held, {Finishing(p, id)} asks the seller for the tunnel again.",
        PurchaseException { ContractId: { } id } p when p.Error is PurchaseError.SellerUnreachable or PurchaseError.SellerRefused =>
            $"The contract is recorded; when the seller answers again, {Finishing(p, id)} finishes what was started and never pays twice.",
        PurchaseException { Error: PurchaseError.NoRoute, Kind: PaymentKind.Purchase } =>
            "Nothing was paid and the contract is cancelled. Check your node's channels and outbound balance (a channel to the seller, or closer to it, gives a route), then request a new quote; or buy from another seller.",
        PurchaseException { Error: PurchaseError.NoRoute, ContractId: { } id } p =>
            $"Nothing was paid. Check your node's channels and outbound balance (a channel to the seller, or closer to it, gives a route), then run {Finishing(p, id)}; or buy from another seller.",
        PurchaseException { Error: PurchaseError.PaymentFailed } => "Check your node's channels and outbound balance, or allow a higher routing fee with -MaxRoutingFeeSat.",
        PurchaseException { Error: PurchaseError.TunnelStillActive } => "Add -Force to remove it anyway (nothing is refunded for the time left).",
        PurchaseException { Error: PurchaseError.PaymentUnderWay, ContractId: { } id } =>
            $"Finish the payment first (Confirm-VpnContract -Id {id} for a purchase, Update-VpnContract -Id {id} for a refresh), then remove the tunnel.",
        PurchaseException { Error: PurchaseError.TunnelRemoved } => "Buy a new tunnel: Request-VpnQuote | Confirm-VpnContract.",
        ContractNotFoundException => "List the tunnels bought in this store with Get-VpnTunnel (Connect-VpnNode -StorePath selects another store).",
        SoldContractNotFoundException => "List the contracts sold from this store with Get-VpnSoldContract -IncludeArchived (Connect-VpnNode -StorePath selects another store).",
        SellerNotRunningException =>
            "Start a seller with Start-VpnProvider. Get-VpnProvider shows whether one runs on this store (Connect-VpnNode -StorePath selects another store, as IMPVPN_HOME does).",
        SellerControlException { AccessDenied: true } c =>
            $"Run this as the user who started the seller: its control socket ({c.SocketPath}) is its owner's alone. Connect-VpnNode -StorePath selects another store.",
        SellerControlException =>
            "The seller's control socket did not answer as a running seller does. Check the seller's own output or log; if it no longer runs, Start-VpnProvider starts one.",
        WireGuardPrerequisiteException => "Install what is missing and run as root (or with CAP_NET_ADMIN as an ambient capability); with -ConfigOnly, buying and selling work without touching interfaces.",
        SellerExitException x => ExitRemedy(x.Setting),
        SellerFirewallException { Unavailable: true } =>
            "Install nftables (Debian: apt-get install nftables) and run as root, so the seller can close its interface to buyers. " +
            "Where the host is guarded by a firewall of its own (on Windows, where ImpVpn drives none), start Start-VpnProvider with -NoFirewall.",
        SellerFirewallException =>
            "The seller did not start. Check that nftables works here (nft list ruleset, as root), " +
            "or start Start-VpnProvider with -NoFirewall where the host is guarded by a firewall of its own.",
        DaemonConfigurationException c =>
            $"Change '{c.Key}' in the configuration file (docs/daemon.md describes every key), or the Install-VpnDaemon parameter that set it.",
        ServiceManagerUnavailableException =>
            "The service is installed and enabled; it starts at the next boot under systemd. Where systemd never runs (a container), run the daemon yourself: dotnet <install folder>/impvpnd.dll --config <file> (Get-VpnDaemon shows both).",
        ServiceManagerException => "See what the daemon logged: journalctl -u impvpnd (Linux), or the Application event log, source impvpnd (Windows).",
        FullTunnelException =>
            "Run Remove-VpnTunnel again as root: it undoes what the full tunnel changed from its record in the store (keys/<id>.fulltunnel.json). " +
            "By hand: nft delete table inet impvpn_ks_<interface>; ip rule del for the rules at priorities 32760-32762; resolv.conf from the record. docs/full-tunnel.md lists every change.",
        FullTunnelNotSupportedException => "Buy the exit with -ConfigOnly and import the configuration (Export-VpnTunnelConfig) into WireGuard for Windows, which routes all traffic through it.",
        PlatformNotSupportedException => "Buy with -ConfigOnly and take the tunnel to this device with Export-VpnTunnelConfig (a wg-quick file, or a QR code for the WireGuard app).",
        StoreBusyException { Role: { } role } => $"Stop the {role} running on this store first, or give this one another store (Connect-VpnNode -StorePath).",
        StoreBusyException => "Another ImpVpn process (a scheduled refresh, say) is paying; try again when it has finished.",
        CorruptContractException => "Move the file aside if it is not needed; ImpVpn leaves it untouched.",
        _ => null,
    };

    // Each exit setting is a parameter of Start-VpnProvider (the daemon names its keys itself).
    private static string ExitRemedy(string setting) => setting switch
    {
        nameof(SellerOptions.EgressInterface) =>
            "Give -EgressInterface the interface this host reaches the internet by ('ip route show default' names it), e.g. -EgressInterface eth0; or sell node-to-node only (-Mode NodeToNode).",
        nameof(SellerOptions.Resolvers) =>
            "Give -Resolver one or more IP addresses of the pool's family: the seller's tunnel address (10.77.0.1 for the default pool) where a resolver runs on it, or a public resolver such as 9.9.9.9.",
        nameof(SellerOptions.RefusedDestinations) => "Give -RefusedDestination address prefixes such as 192.0.2.0/24 or 2001:db8::/48.",
        nameof(SellerOptions.ConfigOnly) => "Leave out -ConfigOnly to sell exits, or sell node-to-node only (-Mode NodeToNode).",
        nameof(SellerOptions.ManageFirewall) => "Leave out -NoFirewall to sell exits (ImpVpn's rules keep exit buyers off this host's networks), or sell node-to-node only (-Mode NodeToNode).",
        _ => "Check Start-VpnProvider's exit parameters (-Mode, -EgressInterface, -Resolver, -RefusedDestination, -IPv6Exit).",
    };

    // What finishes an interrupted payment: the cmdlet that started it, given the contract's id.
    private static string Finishing(PurchaseException e, string id) =>
        e.Kind == PaymentKind.Refresh ? $"Update-VpnContract -Id {id}" : $"Confirm-VpnContract -Id {id}";
}
