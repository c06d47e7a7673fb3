using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Protocol version 2: the buyer has checked its tunnel and reveals the preimage of the purchase's or a refresh's
/// payment hash. The seller records it, then settles the hold invoice it could not settle before. A claim repeated
/// (its answer lost) is answered again; a claim after the claim deadline finds the invoice cancelled and the buyer
/// refunded, and is refused.
/// </summary>
internal sealed class Claim(SoldContracts contracts, HoldInvoiceSettlement settlement, PeerProvisioning provisioning, IProgressLog log, ConnectBackCheck? connectBack = null)
{
    public async Task<ClaimResponse> ClaimAsync(string buyer, ClaimRequest request, CancellationToken cancellationToken)
    {
        var preimage = PaymentHashes.ParseHex32(request.Preimage, "preimage");
        var hash = Convert.ToHexString(SHA256.HashData(preimage)).ToLowerInvariant();
        if (!string.Equals(hash, request.PaymentHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, "The preimage does not hash to that payment hash.");
        }

        var preimageHex = Convert.ToHexString(preimage).ToLowerInvariant();
        // A port forward: its public port must reach the buyer's node before anything is settled (outside the lock).
        if (connectBack is not null)
        {
            await connectBack.RequireReachableAsync(buyer, request.ContractId, hash, cancellationToken).ConfigureAwait(false);
        }

        using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var contract = contracts.SoldTo(buyer, request.ContractId);
            if (contract.Refresh is { Applied: true } refresh && refresh.PaymentHash == hash && contract is { State: SoldContractState.Active, AwaitsClaim: false })
            {
                if (refresh.AwaitsClaim)
                {
                    var claimed = contract.RefreshClaimed(preimageHex);
                    await AdmitForAsync(claimed, cancellationToken).ConfigureAwait(false);
                    contract = contracts.Save(claimed);
                }

                var settled = await settlement.SettledAsync(hash, preimageHex, cancellationToken).ConfigureAwait(false);
                var refreshed = contracts.Save(contract.RefreshCleared(settled));
                log.Log(LogLevel.Info, $"Contract {contract.Id}: refresh claimed and settled; active until {refreshed.ExpiresAt:u}.");
                return new ClaimResponse(refreshed.Id, refreshed.ExpiresAt?.ToUnixTimeSeconds() ?? 0);
            }

            if (hash != contract.PaymentHash)
            {
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "That payment hash belongs to no activated invoice of this contract.");
            }

            if (contract.AwaitsClaim)
            {
                // Recorded before settling: a seller that dies in between settles on its next round.
                var claimed = contract.Claimed(preimageHex);
                await AdmitForAsync(claimed, cancellationToken).ConfigureAwait(false);
                contract = contracts.Save(claimed);
                await settlement.SettleAsync(preimageHex, cancellationToken).ConfigureAwait(false);
                contract = contracts.Save(contract.InvoiceWasSettled());
                log.Log(LogLevel.Info, $"Contract {contract.Id} claimed by its buyer; invoice settled, active until {contract.ExpiresAt:u}.");
            }
            else if (contract.State != SoldContractState.Active || !string.Equals(contract.Preimage, preimageHex, StringComparison.Ordinal))
            {
                // Cancelled at its claim deadline (the buyer was refunded), never activated, or already over.
                throw new ProtocolException(ProtocolErrorCode.ContractExpired, $"The contract is {contract.State}; nothing can be claimed.");
            }
            else if (!contract.InvoiceSettled && await settlement.SettleIfHeldAsync(contract.PaymentHash, contract.Preimage, cancellationToken).ConfigureAwait(false))
            {
                // Claimed before, and the settle that followed failed: the claim repeated finishes it.
                contract = contracts.Save(contract.InvoiceWasSettled());
            }

            return new ClaimResponse(contract.Id, contract.ExpiresAt?.ToUnixTimeSeconds() ?? 0);
        }
    }

    /// <summary>Until the claim, the firewall admitted the buyer only until the claim deadline (an unclaimed buyer is
    /// refunded); claimed, it gets the whole time. Lengthened before the claim is recorded and the invoice settled:
    /// if the firewall refuses, nothing is settled, and the claim deadline refunds the buyer.</summary>
    private async Task AdmitForAsync(SoldContract claimed, CancellationToken cancellationToken)
    {
        try
        {
            await provisioning.FollowExpiryAsync(claimed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WireGuardException or IOException)
        {
            log.Log(LogLevel.Warning, $"Contract {claimed.Id}: the claim could not be honoured ({e.Message}); nothing settled.");
            throw new ProtocolException(ProtocolErrorCode.ProvisioningFailed, "The seller could not give the tunnel its time; nothing was settled, and your payment returns at the claim deadline.");
        }
    }
}
