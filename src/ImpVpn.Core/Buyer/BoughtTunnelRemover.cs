using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buyer;

/// <summary>The buyer's clean-up: a tunnel that has run out (or that the user gives up) leaves no interface, no
/// wireguard-go process and no private key behind. Needs no Lightning node: nothing is asked of the seller.</summary>
public sealed class BoughtTunnelRemover(ContractStore store, WireGuardHost? wireGuard, IProgressLog? log = null)
{
    private readonly IProgressLog _log = log ?? NullProgressLog.Instance;

    /// <summary>Takes the tunnel's interface down (when <c>wireGuard</c> is given) and deletes its private key and
    /// wg-quick file. The contract record stays, with its proof of payment. A tunnel with paid time left is removed
    /// only when <paramref name="force"/> says so: nothing is refunded for the time given up.</summary>
    public async Task<ContractRecord> RemoveAsync(string contractId, bool force, CancellationToken cancellationToken)
    {
        var contract = store.Find(contractId);
        if (contract is null || contract.Role != ContractRole.Buyer)
        {
            throw new PurchaseException(PurchaseError.UnknownContract, $"No contract {contractId} bought from this machine.");
        }

        // Never, not even with force: a payment that may be held or settled must end in a recorded contract, and the
        // key is what the tunnel it pays for is worth.
        if (contract.State is ContractState.Paying or ContractState.AwaitingPayment || contract.RefreshBeingPaid is not null)
        {
            throw new PurchaseException(PurchaseError.PaymentUnderWay,
                $"A payment for tunnel {contract.Id} may be under way; nothing was removed. Finish it first: " +
                (contract.RefreshBeingPaid is null ? $"Confirm-VpnContract -Id {contract.Id}." : $"Update-VpnContract -Id {contract.Id}."));
        }

        if (contract.StateAt(DateTimeOffset.UtcNow) == ContractState.Active && !force)
        {
            throw new PurchaseException(PurchaseError.TunnelStillActive,
                $"Tunnel {contract.Id} has paid time left (until {contract.ExpiresAt:u}); nothing was removed. Use -Force to remove it anyway (nothing is refunded).");
        }

        if (wireGuard is not null && contract.InterfaceName.Length > 0)
        {
            await wireGuard.Links.DeleteInterfaceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
            _log.Log(LogLevel.Verbose, $"Tunnel {contract.Id}: interface {contract.InterfaceName} removed.");
        }

        store.DeleteSecret(contract.Id + ".key");
        store.DeleteSecret(contract.Id + ".conf");
        var removed = contract with { InterfaceName = string.Empty, TunnelRemoved = true };
        store.Save(removed);
        _log.Log(LogLevel.Verbose, $"Tunnel {contract.Id}: private key and configuration deleted; the contract and its proof of payment stay in {store.Root}.");
        return removed;
    }
}
