using System.Security.Cryptography;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// More time on one bought tunnel (RefreshContract), protocol version 2 like a purchase: a new preimage made here,
/// the seller's refresh invoice (for its hash) checked, recorded before it is paid, paid at most once, and activated
/// while held; the preimage is revealed (claimed) only once the seller's answer shows the time added to the same
/// tunnel and, where the tunnel is up on this machine, packets still pass. A refresh an earlier run recorded and may
/// have paid is finished, never paid again; one that was never made no longer holds later runs.
/// </summary>
/// <param name="setup">this machine's tunnels, to check one that is up before claiming; null where none are set up.</param>
public sealed class TunnelRefresh(ILightningNode node, SellerLink link, BoughtContracts contracts, TunnelSetup? setup, IProgressLog log)
{

    private readonly PaymentOnce _payment = new(node, log);

    /// <summary>Refreshes the contract <paramref name="contractId"/>, choosing and paying under the store's lock.</summary>
    public async Task<BoughtContract> RefreshAsync(string contractId, TimeSpan duration, BuyerOptions options, CancellationToken cancellationToken)
    {
        using var locked = await contracts.LockAsync(cancellationToken, log).ConfigureAwait(false);
        return await RefreshLockedAsync(contracts.Get(contractId), duration, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The refresh itself; the caller holds the store's lock and has read <paramref name="contract"/> under it.</summary>
    internal async Task<BoughtContract> RefreshLockedAsync(BoughtContract contract, TimeSpan duration, BuyerOptions options, CancellationToken cancellationToken)
    {
        contract = contract.RequireTunnelOnThisMachine();

        var seller = new SellerNode(contract.SellerPubKey, contract.SellerNodeAddress);
        var myPubKey = (await node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        await link.ConnectAsync(seller, cancellationToken).ConfigureAwait(false);
        if (contract.RefreshBeingPaid is { } earlier)
        {
            // An earlier run paid (or began paying) for a refresh and stopped before recording it: finish that one.
            var earlierPayment = await node.TrackPaymentAsync(Convert.FromHexString(earlier.PaymentHash), waitForFinal: false, cancellationToken).ConfigureAwait(false);
            if (earlierPayment is { Status: PaymentStatus.InFlight or PaymentStatus.Succeeded })
            {
                log.Log(LogLevel.Verbose, $"Contract {contract.Id}: a refresh paid earlier is {earlierPayment.Status}; finishing it instead of paying again.");
                return await FinishAsync(contract, seller, paying: null, options, cancellationToken).ConfigureAwait(false);
            }

            // Never made, or failed: nothing of it stands, and it must not hold later runs to it.
            contract = contracts.Save(contract.RefreshAbandoned());
        }

        var preimage = RandomNumberGenerator.GetBytes(32);
        var hashHex = Convert.ToHexString(SHA256.HashData(preimage)).ToLowerInvariant();
        var asked = new RefreshRequest(contract.Id, (long)duration.TotalSeconds, hashHex);
        var offer = await link.CallAsync<RefreshResponse>(seller, PeerProtocol.Refresh, asked, options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        QuoteCheck.RequireRefresh(offer, asked);
        PaymentCeiling.RequireRefresh(contract, duration, offer.PriceSat, options);

        // The fee limit grows with the price (or is the buyer's own), and shrinks to fit what is left of a budget.
        var feeLimit = options.FeeLimitWithinTotal(offer.PriceSat);

        var decoded = await InvoiceCheck.DecodeAsync(node, offer.PaymentRequest, cancellationToken).ConfigureAwait(false);
        // A refresh's terms name its payment hash, the one this buyer made.
        var terms = new ContractTerms(contract.Id, contract.SellerPubKey, myPubKey, contract.BuyerWireGuardKey, offer.PriceSat,
            (long)duration.TotalSeconds, hashHex, "refresh");
        InvoiceCheck.Require(decoded, contract.SellerPubKey, offer.PriceSat, terms.DescriptionHash(), hashHex, DateTimeOffset.UtcNow, options.MaxFinalCltvExpiry);

        // Recorded before paying, as for a purchase: a run that dies from here on is finished by the next run.
        contract = contracts.Save(contract.RefreshRecorded(new RefreshPayment(hashHex, offer.PriceSat, (long)duration.TotalSeconds,
            Convert.ToHexString(preimage).ToLowerInvariant())));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paying {offer.PriceSat} sat for the refresh; routing fee at most {feeLimit} sat, route time lock at most {PaymentOnce.CltvLimit} blocks.");
        Task<PaymentResult>? paying;
        try
        {
            paying = await _payment.StartUnlessAttemptedAsync(decoded.PaymentHash, offer.PaymentRequest, offer.PriceSat, feeLimit, options, contract.Id, PaymentKind.Refresh, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e) when (e.Error == PurchaseError.NoRoute)
        {
            // Nothing left this node: the refresh recorded for it never holds later runs.
            contracts.Save(contract.RefreshAbandoned());
            throw;
        }

        return await FinishAsync(contract, seller, paying, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BoughtContract> FinishAsync(BoughtContract contract, SellerNode seller, Task<PaymentResult>? paying, BuyerOptions options, CancellationToken cancellationToken)
    {
        var refresh = contract.RefreshBeingPaid!;
        var hash = Convert.FromHexString(refresh.PaymentHash);
        var held = await _payment.WaitUntilHeldAsync(hash, paying, contract.Id, PaymentKind.Refresh, cancellationToken).ConfigureAwait(false);
        if (held.Status == PaymentStatus.Failed)
        {
            contracts.Save(contract.RefreshAbandoned());
            throw new PurchaseException(PurchaseError.PaymentFailed, $"The refresh payment for {contract.Id} failed ({held.FailureReason}); nothing was spent.", contractId: contract.Id);
        }

        if (held.Status == PaymentStatus.Succeeded)
        {
            // Settled already (an earlier run claimed, or a refresh recorded by an older version): the seller added
            // the time; only its new expiry is missing here.
            var status = await CallOrExplainAsync(() => link.CallAsync<StatusResponse>(seller, PeerProtocol.Status,
                new StatusRequest(contract.Id), options.ReplyTimeout, cancellationToken), contract, moneyMoved: true).ConfigureAwait(false);
            return Finished(contract, DateTimeOffset.FromUnixTimeSeconds(status.ExpiresAt), held);
        }

        ActivateResponse activation;
        try
        {
            activation = await CallOrExplainAsync(() => _payment.ActivateWhenHeldAsync(link, seller, new ActivateRequest(contract.Id, refresh.PaymentHash), paying, options,
                PaymentKind.Refresh, cancellationToken), contract, moneyMoved: false).ConfigureAwait(false);
        }
        catch (PurchaseException e) when (e.Error == PurchaseError.PaymentFailed)
        {
            // Failed before the seller held it: nothing was spent, and nothing of this refresh stands.
            contracts.Save(contract.RefreshAbandoned());
            throw;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(activation.ExpiresAt);
        if (refresh.Preimage is null)
        {
            // Recorded by an older version, whose seller settles by itself.
            var paid = await _payment.FinalAsync(hash, paying, cancellationToken).ConfigureAwait(false);
            return Finished(contract, expiresAt, paid);
        }

        await RequireDeliveredAsync(contract, activation, refresh, options, cancellationToken).ConfigureAwait(false);
        var (settled, _) = await _payment.ClaimAsync(link, seller,
            new ClaimRequest(contract.Id, refresh.PaymentHash, refresh.Preimage), paying, options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        return Finished(contract, expiresAt, settled);
    }

    /// <summary>What the preimage is revealed for: the same tunnel, the time paid for added, and packets passing where
    /// the tunnel is up on this machine. Anything less keeps the preimage here; the held payment returns to the buyer
    /// when the seller's claim window closes.</summary>
    private async Task RequireDeliveredAsync(BoughtContract contract, ActivateResponse activation, RefreshPayment refresh, BuyerOptions options, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        string? refusal = null;
        try
        {
            var from = contract.ExpiresAt > now ? contract.ExpiresAt.Value : now;
            var tunnel = SellerAnswerCheck.RequireTunnel(activation, contract, now, options.Network, from.AddSeconds(refresh.DurationSeconds));
            var sameTunnel = tunnel.SellerWireGuardKey == contract.SellerWireGuardKey && tunnel.Endpoint == contract.Endpoint
                && tunnel.BuyerTunnelAddress == contract.BuyerTunnelAddress && tunnel.SellerTunnelAddress == contract.SellerTunnelAddress
                && tunnel.AllowedIps.SequenceEqual(contract.AllowedIps);
            if (!sameTunnel)
            {
                refusal = "the seller answered with a different tunnel than the one this contract has";
            }
        }
        catch (PurchaseException e)
        {
            refusal = e.Message;
        }

        if (refusal is null && setup is not null
            && await setup.StillWorksAsync(contract, options.HandshakeTimeout, cancellationToken).ConfigureAwait(false) == false)
        {
            refusal = $"{contract.SellerTunnelAddress} does not answer through the tunnel";
        }

        if (refusal is not null)
        {
            throw new PurchaseException(PurchaseError.SellerAnswerRefused,
                $"The refresh of contract {contract.Id} was not claimed: {refusal}. The preimage was not revealed, so the seller cannot take the payment; it returns when the seller cancels its invoice.",
                contractId: contract.Id, kind: PaymentKind.Refresh);
        }
    }

    private static async Task<T> CallOrExplainAsync<T>(Func<Task<T>> call, BoughtContract contract, bool moneyMoved)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (PurchaseException e)
        {
            // The refresh stays recorded: the next run finishes it.
            throw new PurchaseException(e.Error, $"The refresh of contract {contract.Id} was not finished: {e.Message}", e, contract.Id,
                moneyMoved: moneyMoved, kind: PaymentKind.Refresh);
        }
    }

    private BoughtContract Finished(BoughtContract contract, DateTimeOffset expiresAt, PaymentResult? settled)
    {
        var refresh = contract.RefreshBeingPaid!;
        if (settled is not { Status: PaymentStatus.Succeeded })
        {
            throw new PurchaseException(PurchaseError.PaymentUnfinished,
                $"The seller added the time to {contract.Id}, but the refresh payment did not complete ({settled?.Status.ToString() ?? "unknown to the node"}); running the refresh again finishes it.",
                contractId: contract.Id, kind: PaymentKind.Refresh);
        }

        var refreshed = contracts.Save(contract.Refreshed(expiresAt, settled));
        log.Log(LogLevel.Verbose, $"Contract {contract.Id}: refreshed for {refresh.PriceSat} sat + {settled.FeeSat} sat fee; now expires {refreshed.ExpiresAt:u}.");
        return refreshed;
    }
}
