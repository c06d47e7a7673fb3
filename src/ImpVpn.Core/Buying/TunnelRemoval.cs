using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>The buyer's clean-up: a tunnel that has run out (or that the user gives up) leaves no interface, no
/// wireguard-go process and no private key behind. Needs no Lightning node: nothing is asked of the seller.</summary>
public sealed class TunnelRemoval(BoughtContracts contracts, WireGuardHost? wireGuard, IProgressLog log)
{
    /// <summary>Takes the tunnel's interface down (when <c>wireGuard</c> is given) and deletes its private key and
    /// wg-quick file, under the store's lock (a scheduled refresh must not write the contract meanwhile). The contract
    /// stays, with its proof of payment. A tunnel with paid time left is removed only when
    /// <paramref name="evenWithTimeLeft"/> says so: nothing is refunded for the time given up.</summary>
    public async Task<BoughtContract> RemoveAsync(string contractId, bool evenWithTimeLeft, CancellationToken cancellationToken)
    {
        using var locked = await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false);
        var contract = contracts.Get(contractId);

        if (Refusal(contract, evenWithTimeLeft) is { } refused)
        {
            throw refused;
        }

        if (wireGuard is not null && contract.InterfaceName.Length > 0)
        {
            await wireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
            await PortForwardRouting.RemoveAsync(wireGuard, contract, cancellationToken).ConfigureAwait(false);
            log.Log(LogLevel.Verbose, $"Contract {contract.Id}: interface {contract.InterfaceName} removed.");
        }

        contracts.DeleteTunnelSecrets(contract.Id);
        var removed = contracts.Save(contract.Removed());
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: the tunnel's private key and configuration deleted; the contract and its proof of payment stay in {contracts.StoreRoot}.");
        return removed;
    }

    /// <summary>Why removing <paramref name="contract"/> would be refused, or null when it would go ahead: asked
    /// before anything is promised (-WhatIf, a confirmation prompt), and again under the lock before anything is done.</summary>
    public static PurchaseException? Refusal(BoughtContract contract, bool evenWithTimeLeft)
    {
        // Never, whatever the caller says: a payment that may be held or settled must end in a recorded contract,
        // and the key is what the tunnel it pays for is worth.
        if (contract.PaymentMayBeUnderWay)
        {
            return new PurchaseException(PurchaseError.PaymentUnderWay,
                $"A {(contract.RefreshBeingPaid is null ? "purchase" : "refresh")} payment for contract {contract.Id} may be under way; nothing was removed.",
                contractId: contract.Id, kind: contract.RefreshBeingPaid is null ? PaymentKind.Purchase : PaymentKind.Refresh);
        }

        if (contract.StateAt(DateTimeOffset.UtcNow) == BoughtContractState.Active && !evenWithTimeLeft && !contract.TunnelRemoved)
        {
            return new PurchaseException(PurchaseError.TunnelStillActive,
                $"The tunnel of contract {contract.Id} has paid time left (until {contract.ExpiresAt:u}); nothing was removed.", contractId: contract.Id);
        }

        return null;
    }
}
