using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Buying a tunnel (AcceptContract): accept the quote, check the seller's hold invoice, record the contract, pay it
/// at most once, ask the seller to activate while the payment is held, keep the proof of payment, then set the
/// tunnel up. Also finishes a purchase a crash interrupted. The work is chosen and paid under the store's lock, so
/// two processes confirming one quote pay once: the second finds the first's contract and finishes that one.
/// </summary>
public sealed class TunnelPurchase(ILightningNode node, SellerLink link, BoughtContracts contracts, TunnelSetup? setup, IProgressLog log)
{
    private const string Activity = "Buying a tunnel";
    private readonly PaymentOnce _payment = new(node, log);

    public async Task<BoughtContract> ConfirmAsync(VpnQuote quote, BuyerOptions options, CancellationToken cancellationToken)
    {
        PaymentCeiling.RequirePurchase(quote.PriceSat, options, $"The seller asks {quote.PriceSat} sat");
        BoughtContract bought;
        using (await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false))
        {
            if (contracts.FindByQuote(quote) is { } earlier)
            {
                // Another run (or this one, before a crash) accepted this quote: never a second contract for it.
                log.Log(LogLevel.Verbose, $"This quote was already accepted as contract {earlier.Id} ({earlier.State}); not buying again.");
                switch (earlier.State)
                {
                    case BoughtContractState.Cancelled:
                        throw new PurchaseException(PurchaseError.QuoteExpired,
                            $"This quote's purchase (contract {earlier.Id}) was cancelled and its payment returned; request a new quote. Nothing was paid now.", contractId: earlier.Id);
                    case BoughtContractState.Paying:
                        // Unfinished: this run finishes it (paying only if the node never attempted it) and sets it up.
                        bought = await FinishLockedAsync(earlier, options, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        // Bought and set up by the run that bought it; fetching or setting it up again is what -Id asks for.
                        return earlier;
                }
            }
            else
            {
                if (quote.IsExpired(DateTimeOffset.UtcNow))
                {
                    throw new PurchaseException(PurchaseError.QuoteExpired, $"The quote expired at {quote.ExpiresAt:u}; request a new one. Nothing was paid.");
                }

                var recorded = await AcceptAsync(quote, options, cancellationToken).ConfigureAwait(false);
                bought = await PayAndActivateAsync(recorded, options, cancellationToken).ConfigureAwait(false);
            }
        }

        return await SetUpAsync(bought, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a contract left in Paying by a crash (the node is asked about the payment first; only a
    /// payment it never attempted, or one that failed, is made again), or fetches an active tunnel's configuration
    /// again and sets it up.</summary>
    public async Task<BoughtContract> ResumeAsync(string contractId, BuyerOptions options, CancellationToken cancellationToken)
    {
        BoughtContract contract;
        using (await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false))
        {
            contract = contracts.Get(contractId);
            if (contract.State == BoughtContractState.Paying)
            {
                PaymentCeiling.RequirePurchase(contract.PriceSat, options, $"Finishing contract {contract.Id} may pay {contract.PriceSat} sat");
            }

            contract = await FinishLockedAsync(contract, options, cancellationToken).ConfigureAwait(false);
        }

        return await SetUpAsync(contract, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BoughtContract> FinishLockedAsync(BoughtContract contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        return contract.RequireTunnelOnThisMachine().State switch
        {
            BoughtContractState.Paying => await PayAndActivateAsync(contract, options, cancellationToken).ConfigureAwait(false),
            BoughtContractState.Active when setup is not null && !options.ConfigOnly => await RefetchAsync(contract, options, cancellationToken).ConfigureAwait(false),
            _ => contract,
        };
    }

    private async Task<BoughtContract> AcceptAsync(VpnQuote quote, BuyerOptions options, CancellationToken cancellationToken)
    {
        var myPubKey = (await node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        var seller = new SellerNode(quote.SellerPubKey, quote.SellerNodeAddress);
        await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
        using var wireGuardKey = WireGuardPrivateKey.Generate();
        var buyerKey = wireGuardKey.PublicKey.ToBase64();
        log.Progress(new ProgressUpdate(Activity, "Accepting the quote", 10));
        var accepted = await link.CallAsync<AcceptResponse>(seller, PeerProtocol.Accept, new AcceptRequest(
            quote.Nonce, quote.PriceSat, (long)quote.Duration.TotalSeconds, quote.ExpiresAt.ToUnixTimeSeconds(), quote.Offer, quote.Promise,
            buyerKey), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        if (!ContractId.IsValid(accepted.ContractId))
        {
            throw new PurchaseException(PurchaseError.SellerRefused, "The seller sent an invalid contract id. Nothing was paid.");
        }

        SellerAnswerCheck.RequireBuyerTunnelAddress(accepted.BuyerTunnelAddress, options.Network);

        var terms = new ContractTerms(accepted.ContractId, quote.SellerPubKey, myPubKey, buyerKey, quote.PriceSat, (long)quote.Duration.TotalSeconds, quote.Nonce);
        var decoded = await InvoiceCheck.DecodeAsync(node, accepted.PaymentRequest, cancellationToken).ConfigureAwait(false);
        InvoiceCheck.Require(decoded, quote.SellerPubKey, quote.PriceSat, terms.DescriptionHash());
        var hash = Convert.ToHexString(decoded.PaymentHash).ToLowerInvariant();
        log.Log(LogLevel.Verbose, $"Contract {accepted.ContractId}: the seller's invoice pays {quote.SellerPubKey}, asks exactly {quote.PriceSat} sat and commits to the terms (payment hash {hash}).");

        contracts.SavePrivateKey(accepted.ContractId, wireGuardKey);
        // Recorded before any payment: if this process dies from here on, running again finds the hash and asks
        // the node about it instead of paying a second time.
        var contract = contracts.Save(BoughtContract.Paying(accepted.ContractId, quote, hash, accepted.PaymentRequest, buyerKey,
            accepted.BuyerTunnelAddress, InterfaceName.Random("ivpn")));
        log.Log(LogLevel.Debug, $"Contract {contract.Id} recorded in {contracts.StoreRoot} before paying.");
        return contract;
    }

    private async Task<BoughtContract> PayAndActivateAsync(BoughtContract contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        var seller = new SellerNode(contract.SellerPubKey, contract.SellerNodeAddress);
        var hash = Convert.FromHexString(contract.PaymentHash);
        log.Progress(new ProgressUpdate(Activity, $"Paying {contract.PriceSat} sat (fee at most {options.FeeLimitSat} sat)", 30));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paying {contract.PriceSat} sat unless the node already has the payment; routing fee at most {options.FeeLimitSat} sat.");
        var paying = await _payment.StartUnlessAttemptedAsync(hash, contract.PaymentRequest, options.FeeLimitSat, cancellationToken).ConfigureAwait(false);

        // A hold invoice keeps the payment in flight until the seller has set up the tunnel and settled.
        var held = await _payment.WaitUntilHeldAsync(hash, paying, contract.Id, PaymentKind.Purchase, cancellationToken).ConfigureAwait(false);
        if (held.Status == PaymentStatus.Failed)
        {
            contracts.Save(contract.Cancelled());
            throw new PurchaseException(PurchaseError.PaymentFailed, $"The payment failed ({held.FailureReason}); nothing was spent.", contractId: contract.Id);
        }

        log.Progress(new ProgressUpdate(Activity, "Payment held; asking the seller to activate", 60));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: payment {held.Status}; asking the seller to add the peer and settle.");
        ActivateResponse activation;
        try
        {
            await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
            // Already settled (a run that died after paying): the preimage proves payment to the seller.
            var proof = held is { Status: PaymentStatus.Succeeded, Preimage: { } preimage } ? Convert.ToHexString(preimage).ToLowerInvariant() : null;
            activation = await link.CallAsync<ActivateResponse>(seller, PeerProtocol.Activate,
                new ActivateRequest(contract.Id, contract.PaymentHash, proof), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e)
        {
            // No answer to activate. Usually the seller did not settle, and its hold invoice will be cancelled (at once
            // on a provisioning failure, or when it lapses), refunding the payment. But the answer may have been lost
            // after the seller settled: then the payment is done, and its proof is kept now.
            var final = await PaymentOnce.FinalOrNullAsync(paying, TimeSpan.FromSeconds(5)).ConfigureAwait(false)
                ?? await node.TrackPaymentAsync(hash, waitForFinal: false, CancellationToken.None).ConfigureAwait(false);
            switch (final)
            {
                case { Status: PaymentStatus.Failed }:
                    contracts.Save(contract.Cancelled());
                    throw new PurchaseException(PurchaseError.ActivationFailed, e.Message + " The payment was refunded.", e, contract.Id);
                case { Status: PaymentStatus.Succeeded, Preimage: { } paidPreimage } when SHA256.HashData(paidPreimage).AsSpan().SequenceEqual(hash):
                    contracts.Save(contract.PaidBeforeActivation(final));
                    throw new PurchaseException(PurchaseError.ActivationFailed,
                        $"Contract {contract.Id} is paid (its proof of payment is stored), but the seller's answer to activate did not arrive: {e.Message}",
                        e, contract.Id, moneyMoved: true);
                default:
                    throw new PurchaseException(PurchaseError.ActivationFailed, e.Message, e, contract.Id);
            }
        }

        var settled = await _payment.FinalAsync(hash, paying, cancellationToken).ConfigureAwait(false);
        if (settled is not { Status: PaymentStatus.Succeeded, Preimage: { } settledPreimage } || !SHA256.HashData(settledPreimage).AsSpan().SequenceEqual(hash))
        {
            throw new PurchaseException(PurchaseError.PaymentUnfinished,
                $"The seller activated contract {contract.Id}, but the payment did not complete with a valid preimage ({settled?.Status.ToString() ?? "unknown to the node"}).",
                contractId: contract.Id);
        }

        SellerTunnel tunnel;
        try
        {
            tunnel = SellerAnswerCheck.RequireTunnel(activation, contract, DateTimeOffset.UtcNow, options.Network);
        }
        catch (PurchaseException e)
        {
            // Paid, but nothing of this answer touches the machine: the proof is kept so the tunnel can be claimed.
            contracts.Save(contract.PaidBeforeActivation(settled));
            throw new PurchaseException(e.Error, $"{e.Message} Contract {contract.Id} is paid and keeps its proof of payment; nothing was set up.", e, contract.Id, moneyMoved: true);
        }

        var active = contracts.Save(contract.Activated(tunnel, settled));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paid {active.PaidSat} sat + {active.FeePaidSat} sat fee; proof of payment stored. Tunnel {active.BuyerTunnelAddress} via {active.Endpoint} until {active.ExpiresAt:u}.");
        return active;
    }

    /// <summary>An active contract's tunnel asked for again, proving payment with the preimage.</summary>
    private async Task<BoughtContract> RefetchAsync(BoughtContract contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        var seller = new SellerNode(contract.SellerPubKey, contract.SellerNodeAddress);
        await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
        var activation = await link.CallAsync<ActivateResponse>(seller, PeerProtocol.Activate,
            new ActivateRequest(contract.Id, contract.PaymentHash, contract.Preimage), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        return contracts.Save(contract.WithTunnel(SellerAnswerCheck.RequireTunnel(activation, contract, DateTimeOffset.UtcNow, options.Network)));
    }

    private async Task<BoughtContract> SetUpAsync(BoughtContract contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        if (contract.State != BoughtContractState.Active)
        {
            return contract;
        }

        try
        {
            TunnelExport.WriteStoreCopy(contract, contracts);
            if (setup is null || options.ConfigOnly)
            {
                return contract;
            }

            log.Progress(new ProgressUpdate(Activity, $"Bringing up {contract.InterfaceName}", 80));
            await setup.BringUpAsync(contract, options.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WireGuardException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new PurchaseException(PurchaseError.TunnelSetupFailed,
                $"Contract {contract.Id} is paid and recorded with its proof of payment, but its interface could not be set up: {e.Message}",
                e, contract.Id, moneyMoved: true);
        }

        return contract;
    }
}
