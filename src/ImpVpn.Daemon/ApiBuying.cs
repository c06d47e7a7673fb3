using System.Globalization;
using System.Security.Cryptography;
using Grpc.Core;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>
/// What the seed's three methods start: each call's terms are checked at once (a refusal is the call's error and
/// nothing is asked or paid), then an id is returned and the work runs on the core the cmdlets use
/// (<see cref="Buyer"/>: SellerQuotes, TunnelPurchase, TunnelRefresh, with the API's ceilings as BuyerOptions), its
/// result an event under that id. Work under way is cancelled when the daemon stops, and the stop waits (within the
/// host's shutdown time) for it to record where it got and write its event; a purchase cut short is in the store as
/// Paying, finished (never paid twice) by Confirm-VpnContract -Id.
/// </summary>
internal sealed class ApiBuying(DaemonSettings settings, NodeConnection nodes, ApiQuoteBook quotes, ApiEventLog events, ApiBudget budget, IHostApplicationLifetime lifetime, ILogger<ApiBuying> logger)
    : IHostedService
{
    private readonly ApiSettings _api = settings.Api!;
    private readonly object _gate = new();
    private readonly HashSet<string> _refreshing = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];
    private readonly ApiWorkLimit _limit = new();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after ApplicationStopping has cancelled the work: waits for it to end.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public BoughtContracts Contracts => new(new ContractStore(settings.StorePath));

    public string RequestQuote(string pubKey) => InSlot(slot => RequestQuote(pubKey, slot));

    public string AcceptContract(string pubKey, string nonce, string price) => InSlot(slot => AcceptContract(pubKey, nonce, price, slot));

    /// <summary>The seed's RefreshContract: <paramref name="nonce"/> is "the identifier of the VPN connection", the
    /// contract's id; <paramref name="price"/> the most the client agrees to pay for <see cref="ApiSettings.RefreshDuration"/>.</summary>
    public string RefreshContract(string pubKey, string nonce, string price) => InSlot(slot => RefreshContract(pubKey, nonce, price, slot));

    // A slot of the work limit is taken before anything else (a refused call holds none) and given back by the work
    // when it ends, or here when the call is refused before the work starts.
    private string InSlot(Func<IDisposable, string> call)
    {
        var slot = _limit.Take();
        try
        {
            return call(slot);
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    private string RequestQuote(string pubKey, IDisposable slot)
    {
        var seller = Seller(pubKey);
        var id = NewId();
        Start(id, slot, seller.PubKey, "quote", async (buyer, ct) =>
        {
            var quote = await buyer.Quotes.RequestAsync(seller, _api.QuoteDuration, _api.Offer, _api.Buyer.ReplyTimeout, ct).ConfigureAwait(false);
            quotes.Add(quote);
            return new ApiEvent
            {
                Kind = ApiEvent.QuoteReceived, Id = id, PubKey = quote.SellerPubKey, Nonce = quote.Nonce, PriceSat = quote.PriceSat,
                ExpiresAt = quote.ExpiresAt, Duration = quote.Duration, Mode = quote.Mode,
            };
        });
        return id;
    }

    private string AcceptContract(string pubKey, string nonce, string price, IDisposable slot)
    {
        var seller = Seller(pubKey);
        var priceSat = Price(price);
        if (string.IsNullOrEmpty(nonce))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "nonce is required: the quote_received event's nonce."));
        }

        var id = NewId();
        var quote = quotes.Take(seller.PubKey, nonce, priceSat, id);
        try
        {
            // The cmdlets' ceiling, said before anything is asked of the seller.
            PaymentCeiling.RequirePurchase(quote.PriceSat, _api.Buyer, $"The seller asks {quote.PriceSat} sat");
        }
        catch (PurchaseException e)
        {
            quotes.Return(quote);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{e.Message} (Api.MaxPriceSat)"));
        }

        ApiReservation reservation;
        try
        {
            // The total limit: the price and the most its routing fee may be, held before anything is asked.
            reservation = budget.Reserve(PaymentCeiling.MostCostSat(quote.PriceSat, _api.Buyer.FeeLimitFor(quote.PriceSat)), $"The purchase at {quote.PriceSat} sat");
        }
        catch (RpcException)
        {
            quotes.Return(quote);
            throw;
        }

        Start(id, slot, quote.SellerPubKey, "purchase", async (buyer, ct) =>
        {
            var contract = await buyer.Purchase.ConfirmAsync(quote, _api.Buyer, ct).ConfigureAwait(false);
            return new ApiEvent
            {
                Kind = ApiEvent.ContractPaid, Id = id, PubKey = contract.SellerPubKey, Nonce = quote.Nonce, PriceSat = contract.PriceSat,
                ContractId = contract.Id, TunnelAddress = contract.BuyerTunnelAddress, ExpiresAt = contract.ExpiresAt, Mode = contract.Mode,
                Duration = TimeSpan.FromSeconds(contract.DurationSeconds),
            };
        }, new Finish(() => SettlePurchase(reservation, quote), failed => ApiFailedPurchase.WithContract(failed, Contracts, quote)));
        return id;
    }

    private string RefreshContract(string pubKey, string nonce, string price, IDisposable slot)
    {
        var seller = Seller(pubKey);
        var priceSat = Price(price);
        var contract = Contracts.Find(nonce) ?? throw new RpcException(new Status(StatusCode.NotFound, $"No contract {nonce} in this daemon's store. Nothing was paid."));
        if (!string.Equals(contract.SellerPubKey, seller.PubKey, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Contract {contract.Id} was bought from {contract.SellerPubKey}, not {seller.PubKey}. Nothing was paid."));
        }

        if (_api.Buyer.MaxPriceSat is { } max && priceSat > max)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"A refresh at up to {priceSat} sat; the most allowed is {max} sat (Api.MaxPriceSat). Nothing was paid."));
        }

        lock (_gate)
        {
            if (!_refreshing.Add(contract.Id))
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"A refresh of contract {contract.Id} is under way; wait for its event. Nothing was paid now."));
            }
        }

        ApiReservation reservation;
        try
        {
            reservation = budget.Reserve(PaymentCeiling.MostCostSat(priceSat, _api.Buyer.FeeLimitFor(priceSat)), $"A refresh at up to {priceSat} sat");
        }
        catch (RpcException)
        {
            lock (_gate)
            {
                _refreshing.Remove(contract.Id);
            }

            throw;
        }

        var id = NewId();
        // MaxTotalSat: the refresh's fee limit shrinks to fit what was reserved, so it cannot spend past it.
        var options = _api.Buyer with { MaxPriceSat = priceSat, MaxTotalSat = reservation.Sat };
        Start(id, slot, contract.SellerPubKey, "refresh", async (buyer, ct) =>
        {
            var refreshed = await buyer.Refresh.RefreshAsync(contract.Id, _api.RefreshDuration, options, ct).ConfigureAwait(false);
            return ApiRefreshedEvent.From(id, contract, refreshed, _api.RefreshDuration);
        }, new Finish(() =>
        {
            SettleRefresh(reservation, contract);
            lock (_gate)
            {
                _refreshing.Remove(contract.Id);
            }
        }), contract.Id);
        return id;
    }

    public async Task<SellerOffer> OfferAsync(string pubKey, CancellationToken cancellationToken)
    {
        var seller = Seller(pubKey);
        var node = await nodes.GetAsync(cancellationToken).ConfigureAwait(false);
        await using var buyer = new Buyer(node, Contracts, null, new LoggerProgressLog(logger));
        return await buyer.Offers.RequestAsync(seller, _api.Buyer.ReplyTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What runs when the work ends, whatever its outcome: <paramref name="Settle"/> (the budget, the
    /// refresh's claim on its contract), then <paramref name="Failed"/> adds what the store knows to a failure.</summary>
    private sealed record Finish(Action Settle, Func<ApiEvent, ApiEvent>? Failed = null);

    private void Start(string id, IDisposable slot, string pubKey, string what, Func<Buyer, CancellationToken, Task<ApiEvent>> work, Finish? finish = null, string contractId = "")
    {
        ApiLog.Started(logger, what, id, pubKey);
        var running = Task.Run(async () =>
        {
            var stopping = lifetime.ApplicationStopping;
            ApiEvent outcome;
            try
            {
                var node = await nodes.GetAsync(stopping).ConfigureAwait(false);
                await using var buyer = new Buyer(node, Contracts, WireGuard(), new LoggerProgressLog(logger));
                outcome = await work(buyer, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                outcome = new ApiEvent { Kind = ApiEvent.Failed, Id = id, PubKey = pubKey, ContractId = contractId, Error = $"The daemon stopped before the {what} finished; a purchase cut short is finished by Confirm-VpnContract -Id." };
            }
            catch (PurchaseException e)
            {
                // The core's message states what happened to the money; MoneyMoved and the contract id say where
                // the proof of payment is kept (the contract in the store).
                outcome = new ApiEvent { Kind = ApiEvent.Failed, Id = id, PubKey = pubKey, ContractId = e.ContractId ?? contractId, Error = e.Message, MoneyMoved = e.MoneyMoved };
            }
            catch (Exception e)
            {
                outcome = new ApiEvent { Kind = ApiEvent.Failed, Id = id, PubKey = pubKey, ContractId = contractId, Error = e.Message };
            }

            if (finish is not null)
            {
                try
                {
                    finish.Settle();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CorruptContractException)
                {
                    // The budget's ledger could not be written: the reservation stays counted in memory, and in the
                    // file it stays reserved, which the next start counts as spent; never less than was spent.
                    ApiLog.BudgetNotSettled(logger, id, e);
                }

                if (outcome.Kind == ApiEvent.Failed && finish.Failed is { } failed)
                {
                    outcome = failed(outcome);
                }
            }

            try
            {
                events.Append(outcome);
                ApiLog.Finished(logger, what, id, outcome.Kind);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ApiLog.EventNotKept(logger, id, e);
            }
        });
        // Given back when the work has ended whatever happened in it (also if a step above threw unexpectedly).
        _ = running.ContinueWith(_ => slot.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (_gate)
        {
            _running.Add(running);
        }

        // Forgotten once done; the continuation never throws (the work catches everything itself).
        _ = running.ContinueWith(done =>
        {
            lock (_gate)
            {
                _running.Remove(done);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // What the purchase cost as its contract records it; a payment that may still be in flight counts whole.
    private void SettlePurchase(ApiReservation reservation, VpnQuote quote)
    {
        try
        {
            switch (Contracts.FindByQuote(quote))
            {
                case null or { State: BoughtContractState.Cancelled }:
                    reservation.Settle(0);
                    break;
                case { PaidSat: > 0 } paid:
                    reservation.Settle(paid.PaidSat + paid.FeePaidSat);
                    break;
                default:
                    reservation.SettleAtMost();
                    break;
            }
        }
        catch (Exception e) when (e is CorruptContractException or IOException or UnauthorizedAccessException)
        {
            reservation.SettleAtMost();
        }
    }

    // What the refresh added to the contract's payments; one still recorded as being paid counts whole.
    private void SettleRefresh(ApiReservation reservation, BoughtContract before)
    {
        try
        {
            var after = Contracts.Find(before.Id);
            if (after is null || after.RefreshBeingPaid is not null)
            {
                reservation.SettleAtMost();
            }
            else
            {
                reservation.Settle(after.PaidSat + after.FeePaidSat - (before.PaidSat + before.FeePaidSat));
            }
        }
        catch (Exception e) when (e is CorruptContractException or IOException or UnauthorizedAccessException)
        {
            reservation.SettleAtMost();
        }
    }

    private WireGuardHost? WireGuard() => _api.Buyer.ConfigOnly ? null : WireGuardUse.ForChanging(configOnly: false);

    private static SellerNode Seller(string pubKey)
    {
        try
        {
            var seller = SellerNode.Parse(pubKey ?? string.Empty);
            return seller with { PubKey = NodePubKey.Normalize(seller.PubKey) };
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubkey: {e.Message}"));
        }
    }

    private static long Price(string price) =>
        long.TryParse(price, NumberStyles.None, CultureInfo.InvariantCulture, out var sat) && sat is >= 1 and <= QuoteCheck.MaxSat
            ? sat
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"price: '{Printable(price)}' is not a whole number of sat (1 to {QuoteCheck.MaxSat})."));

    private static string Printable(string? text) => text is null ? string.Empty : new string([.. text.Take(40).Where(c => !char.IsControl(c))]);

    // Not a counter: an id must not tell one client how many calls others made.
    private static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
