using System.Security.Cryptography;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Seller;

/// <summary>The seller's side of a refresh: a new hold invoice for more time, and the extension once it is paid.</summary>
public sealed partial class VpnProvider
{
    private async Task<object> RefreshAsync(string peer, RefreshRequest request, CancellationToken cancellationToken)
    {
        await _contractGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var contract = OwnContract(peer, request.ContractId);
            if (contract.State != ContractState.Active)
            {
                throw new ProtocolException(ProtocolErrorCode.ContractExpired, $"The contract is {contract.State}; buy a new one.");
            }

            var price = _options.Pricing.PriceFor(TimeSpan.FromSeconds(request.DurationSeconds));
            if (contract.Refresh is { } earlier)
            {
                // The buyer asks again, so the earlier refresh will never be activated: an applied one is settled,
                // any other cancelled, which refunds a payment the buyer may have left held.
                if (earlier.Applied)
                {
                    await SettleIfHeldAsync(earlier.PaymentHash, earlier.Preimage, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await CancelQuietlyAsync(earlier.PaymentHash, "superseded by a new refresh", cancellationToken).ConfigureAwait(false);
                }
            }

            var preimage = RandomNumberGenerator.GetBytes(32);
            var hash = SHA256.HashData(preimage);
            var hashHex = Convert.ToHexString(hash).ToLowerInvariant();
            var terms = new ContractTerms(contract.Id, _myPubKey, peer, contract.BuyerWireGuardKey, price, request.DurationSeconds, hashHex, "refresh");
            var invoice = await _node.AddHoldInvoiceAsync(new HoldInvoiceRequest(hash, price, DescriptionHash: terms.DescriptionHash(),
                ExpirySeconds: (long)_options.QuoteLifetime.TotalSeconds), cancellationToken).ConfigureAwait(false);
            _store.Save(contract with
            {
                Refresh = new PendingRefresh(hashHex, Convert.ToHexString(preimage).ToLowerInvariant(), request.DurationSeconds, price,
                    _clock.GetUtcNow().Add(_options.QuoteLifetime)),
            });
            return new RefreshResponse(contract.Id, price, request.DurationSeconds, invoice.PaymentRequest);
        }
        finally
        {
            _contractGate.Release();
        }
    }

    private async Task<object> ExtendAsync(ContractRecord contract, PendingRefresh refresh, CancellationToken cancellationToken)
    {
        if (refresh.Applied)
        {
            // The time was added before a crash kept this seller from settling: settle now and answer as before.
            await SettleIfHeldAsync(refresh.PaymentHash, refresh.Preimage, cancellationToken).ConfigureAwait(false);
            var completed = contract with { Refresh = null };
            _store.Save(completed);
            return Describe(completed);
        }

        var invoice = await _node.LookupInvoiceAsync(Convert.FromHexString(refresh.PaymentHash), cancellationToken).ConfigureAwait(false);
        if (invoice is null || invoice.State != InvoiceState.Accepted)
        {
            throw new ProtocolException(ProtocolErrorCode.NotPaid, "The refresh invoice has not been paid yet.");
        }

        if (contract.State != ContractState.Active)
        {
            await _node.CancelInvoiceAsync(Convert.FromHexString(refresh.PaymentHash), CancellationToken.None).ConfigureAwait(false);
            _store.Save(contract with { Refresh = null });
            throw new ProtocolException(ProtocolErrorCode.ContractExpired, "The contract expired before the refresh was paid; the payment was refunded.");
        }

        var start = contract.ExpiresAt > _clock.GetUtcNow() ? contract.ExpiresAt!.Value : _clock.GetUtcNow();
        var extended = contract with
        {
            ExpiresAt = WholeSeconds(start.AddSeconds(refresh.DurationSeconds)),
            PriceSat = contract.PriceSat + refresh.PriceSat,
            Refresh = refresh with { Applied = true },
        };
        // As with activation: the added time is recorded before settling, and marked applied so that a restart
        // between the two settles rather than forgets the invoice.
        _store.Save(extended);
        await _node.SettleInvoiceAsync(Convert.FromHexString(refresh.Preimage), cancellationToken).ConfigureAwait(false);
        var finished = extended with { Refresh = null };
        _store.Save(finished);
        _log.Log(LogLevel.Info, $"Contract {contract.Id} refreshed until {finished.ExpiresAt:u}.");
        return Describe(finished);
    }
}
