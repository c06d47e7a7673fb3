using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Protocol version 2: the buyer has checked its tunnel and reveals the preimage of the purchase's or a refresh's
/// payment hash. The seller records it, then settles the hold invoice it could not settle before. A claim repeated
/// (its answer lost) is answered again; a claim after the claim deadline finds the invoice cancelled and the buyer
/// refunded, and is refused.
/// </summary>
internal sealed class Claim(SoldContracts contracts, HoldInvoiceSettlement settlement, IProgressLog log)
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
        using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var contract = contracts.SoldTo(buyer, request.ContractId);
            if (contract.Refresh is { Applied: true } refresh && refresh.PaymentHash == hash && contract is { State: SoldContractState.Active, AwaitsClaim: false })
            {
                if (refresh.AwaitsClaim)
                {
                    contract = contracts.Save(contract.RefreshClaimed(preimageHex));
                }

                await settlement.SettleIfHeldAsync(hash, preimageHex, cancellationToken).ConfigureAwait(false);
                var refreshed = contracts.Save(contract.RefreshCleared());
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
                contract = contracts.Save(contract.Claimed(preimageHex));
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
}
