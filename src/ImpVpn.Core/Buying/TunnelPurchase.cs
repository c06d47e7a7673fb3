using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Buying a tunnel (AcceptContract), protocol version 2: make a preimage, accept the quote with its hash, check the
/// seller's hold invoice (for that hash), record the contract, pay it at most once, ask the seller to activate while
/// the payment is held, check its answer, bring the tunnel up and prove it works, and only then claim: reveal the
/// preimage, which lets the seller settle. A seller that does not deliver never learns the preimage, so it cannot
/// take the payment, which returns when it cancels its hold invoice. Also finishes a purchase a crash interrupted.
/// The work is chosen and paid under the store's lock, so two processes confirming one quote pay once: the second
/// finds the first's contract and finishes that one.
/// </summary>
public sealed class TunnelPurchase(ILightningNode node, SellerLink link, BoughtContracts contracts, TunnelSetup? setup, IProgressLog log)
{
    private const string Activity = "Buying a tunnel";
    private readonly PaymentOnce _payment = new(node, log);

    public async Task<BoughtContract> ConfirmAsync(VpnQuote quote, BuyerOptions options, CancellationToken cancellationToken)
    {
        PaymentCeiling.RequirePurchase(quote.PriceSat, options, $"The seller asks {quote.PriceSat} sat");
        QuoteCheck.RequireDeliverable(quote.Offer);
        Purchased bought;
        using (await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false))
        {
            var earlierByQuote = contracts.FindByQuote(quote);
            if (earlierByQuote is null)
            {
                // Under the lock, so two runs cannot both find the machine free for an exit.
                TunnelModeCheck.RequireUsable(quote, options, setup, contracts.All(), DateTimeOffset.UtcNow);
            }

            if (earlierByQuote is { } earlier)
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
        Purchased finished;
        using (await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false))
        {
            var contract = contracts.Get(contractId);
            if (contract.State == BoughtContractState.Paying)
            {
                PaymentCeiling.RequirePurchase(contract.PriceSat, options, $"Finishing contract {contract.Id} may pay {contract.PriceSat} sat");
            }

            finished = await FinishLockedAsync(contract, options, cancellationToken).ConfigureAwait(false);
        }

        return await SetUpAsync(finished, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Purchased> FinishLockedAsync(BoughtContract contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        return contract.RequireTunnelOnThisMachine().State switch
        {
            BoughtContractState.Paying => await PayAndActivateAsync(contract, options, cancellationToken).ConfigureAwait(false),
            BoughtContractState.Active when setup is not null && !options.ConfigOnly => new(await RefetchAsync(contract, options, cancellationToken).ConfigureAwait(false), InterfaceUp: false),
            _ => new(contract, InterfaceUp: false),
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
        // The hold invoice will be for this hash: only this machine can settle it, by claiming once the tunnel works.
        var preimage = RandomNumberGenerator.GetBytes(32);
        var hash = Convert.ToHexString(SHA256.HashData(preimage)).ToLowerInvariant();
        var accepted = await link.CallAsync<AcceptResponse>(seller, PeerProtocol.Accept, new AcceptRequest(
            quote.Nonce, quote.PriceSat, (long)quote.Duration.TotalSeconds, quote.ExpiresAt.ToUnixTimeSeconds(), quote.Offer, quote.Promise,
            buyerKey, hash), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        if (!ContractId.IsValid(accepted.ContractId))
        {
            throw new PurchaseException(PurchaseError.SellerRefused, "The seller sent an invalid contract id. Nothing was paid.");
        }

        SellerAnswerCheck.RequireBuyerTunnelAddress(accepted.BuyerTunnelAddress, options.Network);

        var terms = new ContractTerms(accepted.ContractId, quote.SellerPubKey, myPubKey, buyerKey, quote.PriceSat, (long)quote.Duration.TotalSeconds, quote.Nonce);
        var decoded = await InvoiceCheck.DecodeAsync(node, accepted.PaymentRequest, cancellationToken).ConfigureAwait(false);
        InvoiceCheck.Require(decoded, quote.SellerPubKey, quote.PriceSat, terms.DescriptionHash(), hash, DateTimeOffset.UtcNow, options.MaxFinalCltvExpiry);
        log.Log(LogLevel.Verbose, $"Contract {accepted.ContractId}: the seller's invoice pays {quote.SellerPubKey}, asks exactly {quote.PriceSat} sat, commits to the terms and is for this buyer's payment hash {hash}.");

        contracts.SavePrivateKey(accepted.ContractId, wireGuardKey);
        // Recorded before any payment: if this process dies from here on, running again finds the hash and asks
        // the node about it instead of paying a second time.
        var contract = contracts.Save(BoughtContract.Paying(accepted.ContractId, quote, hash, Convert.ToHexString(preimage).ToLowerInvariant(),
            accepted.PaymentRequest, buyerKey, accepted.BuyerTunnelAddress, InterfaceName.Random("ivpn")));
        log.Log(LogLevel.Debug, $"Contract {contract.Id} recorded in {contracts.StoreRoot} before paying.");
        return contract;
    }

    /// <summary>A purchase whose payment settled (the seller has the preimage from a claim): recorded active with the
    /// tunnel it has, or the tunnel fetched with the proof of payment.</summary>
    private async Task<Purchased> SettledAsync(BoughtContract contract, PaymentResult settled, SellerNode seller, BuyerOptions options, CancellationToken cancellationToken) =>
        new(contracts.Save(contract.HasTunnel
            ? contract.Activated(contract.Tunnel, settled)
            : contract.Activated(await FetchTunnelAsync(contract.PaidBeforeActivation(settled), seller, options, cancellationToken).ConfigureAwait(false), settled)),
            InterfaceUp: false);

    /// <summary>How long a refused activation waits for the payment to end before reporting it held: a settle or a
    /// cancel crosses the route hop by hop, so the node learns of it some time after the seller acted.</summary>
    private static readonly TimeSpan SettleWait = TimeSpan.FromSeconds(5);

    private async Task<Purchased> PayAndActivateAsync(BoughtContract contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        var seller = new SellerNode(contract.SellerPubKey, contract.SellerNodeAddress);
        var hash = Convert.FromHexString(contract.PaymentHash);
        var feeLimit = options.FeeLimitFor(contract.PriceSat);
        log.Progress(new ProgressUpdate(Activity, $"Paying {contract.PriceSat} sat (fee at most {feeLimit} sat)", 30));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paying {contract.PriceSat} sat unless the node already has the payment; routing fee at most {feeLimit} sat, route time lock at most {PaymentOnce.CltvLimit} blocks.");
        // A probe certain there is no route stops here, before any money moves. The node was never asked to pay (the
        // probe runs only where it knows no payment for the hash, or only a failed one), so nothing of this purchase
        // stands: the contract is cancelled rather than left Paying, which would keep it unremovable while its
        // invoice lives on. A route appears only with a new channel, which outlasts the quote: a new quote buys then.
        Task<PaymentResult>? paying;
        try
        {
            paying = await _payment.StartUnlessAttemptedAsync(hash, contract.PaymentRequest, contract.PriceSat, feeLimit, options, contract.Id, PaymentKind.Purchase, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e) when (e.Error == PurchaseError.NoRoute)
        {
            await CancelAsync(contract).ConfigureAwait(false);
            throw new PurchaseException(e.Error, $"{e.Message} Contract {contract.Id} is cancelled.", e, contract.Id, kind: PaymentKind.Purchase);
        }

        // A hold invoice keeps the payment in flight until the seller settles, which it can do only once this buyer
        // claims.
        var held = await _payment.WaitUntilHeldAsync(hash, paying, contract.Id, PaymentKind.Purchase, cancellationToken).ConfigureAwait(false);
        switch (held)
        {
            case { Status: PaymentStatus.Failed }:
                await CancelAsync(contract).ConfigureAwait(false);
                throw new PurchaseException(PurchaseError.PaymentFailed, $"The payment failed ({held.FailureReason}); nothing was spent.", contractId: contract.Id);
            case { Status: PaymentStatus.Succeeded } when IsProof(held, hash):
                // An earlier run claimed and stopped before recording it: the tunnel is paid for.
                return await SettledAsync(contract, held, seller, options, cancellationToken).ConfigureAwait(false);
        }

        log.Progress(new ProgressUpdate(Activity, "Payment held; asking the seller for the tunnel", 60));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: payment {held.Status}; asking the seller to add the peer (the preimage stays here).");
        ActivateResponse activation;
        try
        {
            await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
            activation = await _payment.ActivateWhenHeldAsync(link, seller, new ActivateRequest(contract.Id, contract.PaymentHash), paying, options,
                PaymentKind.Purchase, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e) when (e.Error == PurchaseError.PaymentFailed)
        {
            // The payment failed before the seller held it: nothing was bought or spent.
            await CancelAsync(contract).ConfigureAwait(false);
            throw;
        }
        catch (PurchaseException e) when (e.Error != PurchaseError.PaymentUnfinished)
        {
            // No tunnel. The seller cannot take the payment without the preimage, so it returns to this buyer when
            // the seller cancels its hold invoice (at once on a provisioning failure, or when its claim window closes).
            // The payment, not the refusal, says what happened, and it may be on its way to its end: a seller that
            // settled with the preimage an earlier run's claim gave it (and then refuses an activate without one) has
            // its settle travelling back over the route. So it is waited on for a few seconds, on the node's word.
            PaymentResult? now;
            try
            {
                now = await _payment.FinalWithinAsync(hash, paying, SettleWait, cancellationToken).ConfigureAwait(false);
            }
            catch (LightningException)
            {
                // The node cannot say now (its payment stream broke, it is restarting): the payment stands as held.
                now = null;
            }

            if (now is { Status: PaymentStatus.Failed })
            {
                await CancelAsync(contract).ConfigureAwait(false);
                throw new PurchaseException(PurchaseError.ActivationFailed, e.Message + " The payment was refunded.", e, contract.Id);
            }

            if (now is { Status: PaymentStatus.Succeeded } && IsProof(now, hash))
            {
                // Settled: the seller holds the preimage already, so the tunnel is fetched with it as the proof.
                log.Log(LogLevel.Verbose, $"Contract {contract.Id}: the seller refused ({e.Message}) but the payment has settled; fetching the tunnel with the proof of payment.");
                return await SettledAsync(contract, now, seller, options, cancellationToken).ConfigureAwait(false);
            }

            throw new PurchaseException(PurchaseError.ActivationFailed,
                $"{e.Message} Your payment is held by the seller, which cannot take it: the preimage stays on this machine. It returns when the seller cancels its invoice.",
                e, contract.Id);
        }

        SellerTunnel tunnel;
        try
        {
            tunnel = SellerAnswerCheck.RequireTunnel(activation, contract, DateTimeOffset.UtcNow, options.Network);
        }
        catch (PurchaseException e)
        {
            throw new PurchaseException(e.Error,
                $"{e.Message} Nothing was set up and the preimage was not revealed, so the seller cannot take the payment for contract {contract.Id}; it returns when the seller cancels its invoice.",
                e, contract.Id);
        }

        contract = contracts.Save(contract.WithTunnel(tunnel));
        var bringUp = setup is not null && !options.ConfigOnly;
        if (setup is not null && bringUp)
        {
            log.Progress(new ProgressUpdate(Activity, $"Bringing up {contract.InterfaceName} and checking it", 75));
            if (await setup.BringUpAndProveAsync(contract, options.HandshakeTimeout, cancellationToken, options.FullTunnel).ConfigureAwait(false) is { } failure)
            {
                throw new PurchaseException(PurchaseError.TunnelCheckFailed,
                    $"The seller's tunnel for contract {contract.Id} does not work ({failure}); it was removed. The preimage was not revealed, so the seller cannot take the payment; it returns when the seller cancels its invoice.",
                    contractId: contract.Id);
            }
        }

        return new(await ClaimAsync(contract, seller, paying, options, cancellationToken).ConfigureAwait(false), InterfaceUp: bringUp);
    }

    /// <summary>The tunnel works (or, with a configuration only, the seller's answer passed every check): the preimage
    /// goes to the seller, which settles; the settled payment is the proof of payment.</summary>
    private async Task<BoughtContract> ClaimAsync(BoughtContract contract, SellerNode seller, Task<PaymentResult>? paying, BuyerOptions options, CancellationToken cancellationToken)
    {
        var hash = Convert.FromHexString(contract.PaymentHash);
        log.Progress(new ProgressUpdate(Activity, "Claiming: giving the seller the preimage", 90));
        var (settled, unanswered) = await _payment.ClaimAsync(link, seller,
            new ClaimRequest(contract.Id, contract.PaymentHash, contract.Preimage!), paying, options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        if (settled is { Status: PaymentStatus.Failed })
        {
            // The seller cancelled instead of settling: nothing was bought, and the tunnel brought up for the check goes.
            await CancelAsync(contract).ConfigureAwait(false);

            throw new PurchaseException(PurchaseError.PaymentFailed,
                $"The seller cancelled the invoice of contract {contract.Id} instead of settling it ({settled.FailureReason}); the payment was returned and the tunnel removed.",
                unanswered, contract.Id);
        }

        if (settled is null || !IsProof(settled, hash))
        {
            throw new PurchaseException(PurchaseError.PaymentUnfinished,
                $"The tunnel of contract {contract.Id} works and the seller was given the preimage, but the payment has not completed ({settled?.Status.ToString() ?? "unknown to the node"}){(unanswered is null ? "." : $": {unanswered.Message}")}",
                unanswered, contract.Id);
        }

        var active = contracts.Save(contract.Activated(contract.Tunnel, settled));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paid {active.PaidSat} sat + {active.FeePaidSat} sat fee; proof of payment stored. Tunnel {active.BuyerTunnelAddress} via {active.Endpoint} until {active.ExpiresAt:u}.");
        return active;
    }

    /// <summary>The tunnel of a contract already paid for, asked for with the preimage as proof.</summary>
    private async Task<SellerTunnel> FetchTunnelAsync(BoughtContract contract, SellerNode seller, BuyerOptions options, CancellationToken cancellationToken)
    {
        await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
        var activation = await link.CallAsync<ActivateResponse>(seller, PeerProtocol.Activate,
            new ActivateRequest(contract.Id, contract.PaymentHash, contract.Preimage), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            return SellerAnswerCheck.RequireTunnel(activation, contract, DateTimeOffset.UtcNow, options.Network);
        }
        catch (PurchaseException e)
        {
            // Paid, but nothing of this answer touches the machine: the proof is kept so the tunnel can be claimed.
            contracts.Save(contract);
            throw new PurchaseException(e.Error, $"{e.Message} Contract {contract.Id} is paid and keeps its proof of payment; nothing was set up.", e, contract.Id, moneyMoved: true);
        }
    }

    /// <summary>Nothing was bought (the payment failed or was returned): the contract is cancelled, and an interface
    /// an earlier run brought up to check the tunnel is taken down.</summary>
    private async Task CancelAsync(BoughtContract contract)
    {
        contracts.Save(contract.Cancelled());
        if (setup is not null && contract.HasTunnel)
        {
            await setup.TakeDownAsync(contract, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static bool IsProof(PaymentResult payment, byte[] hash) =>
        payment is { Status: PaymentStatus.Succeeded, Preimage: { } preimage } && SHA256.HashData(preimage).AsSpan().SequenceEqual(hash);

    /// <summary>An active contract's tunnel asked for again, proving payment with the preimage.</summary>
    private async Task<BoughtContract> RefetchAsync(BoughtContract contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        var seller = new SellerNode(contract.SellerPubKey, contract.SellerNodeAddress);
        return contracts.Save(contract.WithTunnel(await FetchTunnelAsync(contract, seller, options, cancellationToken).ConfigureAwait(false)));
    }

    private async Task<BoughtContract> SetUpAsync(Purchased purchased, BuyerOptions options, CancellationToken cancellationToken)
    {
        var contract = purchased.Contract;
        if (contract.State != BoughtContractState.Active)
        {
            return contract;
        }

        try
        {
            TunnelExport.WriteStoreCopy(contract, contracts);
            if (setup is null || options.ConfigOnly || purchased.InterfaceUp)
            {
                return contract;
            }

            log.Progress(new ProgressUpdate(Activity, $"Bringing up {contract.InterfaceName}", 80));
            await setup.BringUpAsync(contract, options.HandshakeTimeout, cancellationToken, options.FullTunnel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WireGuardException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new PurchaseException(PurchaseError.TunnelSetupFailed,
                $"Contract {contract.Id} is paid and recorded with its proof of payment, but its interface could not be set up: {e.Message}",
                e, contract.Id, moneyMoved: true);
        }

        return contract;
    }

    /// <summary>A purchase's outcome, and whether its interface is already up (brought up and proven before the
    /// claim), so that setting it up does not tear down a working tunnel to make it again.</summary>
    private readonly record struct Purchased(BoughtContract Contract, bool InterfaceUp);
}
