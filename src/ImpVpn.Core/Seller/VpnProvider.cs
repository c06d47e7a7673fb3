using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard;
using ImpVpn.Core.WireGuard.Keys;

namespace ImpVpn.Core.Seller;

/// <summary>
/// The seller: answers quote, accept, activate, refresh and status over custom peer messages; issues hold invoices;
/// adds the buyer's WireGuard peer before it settles (and cancels, refunding the buyer, when it cannot); removes
/// peers when contracts expire; and on start re-applies what the store says is active.
/// </summary>
public sealed class VpnProvider : IAsyncDisposable
{
    private readonly ILightningNode _node;
    private readonly IWireGuardClient _wireGuard;
    private readonly ContractStore _store;
    private readonly ProviderOptions _options;
    private readonly IProgressLog _log;
    private readonly TimeProvider _clock;
    private readonly PeerRpcEndpoint _rpc;
    private readonly AddressPool _pool;
    private readonly QuoteRateLimiter _rateLimiter;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _usedNonces = new();
    private readonly SemaphoreSlim _contractGate = new(1, 1);
    private QuotePromise _promise = null!;
    private WireGuardPrivateKey _wireGuardKey = null!;
    private string _myPubKey = string.Empty;

    public VpnProvider(ILightningNode node, IWireGuardClient wireGuard, ContractStore store, ProviderOptions options, IProgressLog? log = null, TimeProvider? clock = null)
    {
        _node = node;
        _wireGuard = wireGuard;
        _store = store;
        _options = options;
        _log = log ?? NullProgressLog.Instance;
        _clock = clock ?? TimeProvider.System;
        _rpc = new PeerRpcEndpoint(node, _log);
        _pool = new AddressPool(options.Subnet);
        _rateLimiter = new QuoteRateLimiter(options.QuotesPerPeerPerMinute, _clock);
    }

    public WireGuardPublicKey PublicKey => _wireGuardKey.PublicKey;

    /// <summary>Starts serving: loads keys, brings up the interface, re-applies active contracts, drops expired ones,
    /// then answers peers until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.ExpiryCheckInterval, _clock, cancellationToken).ConfigureAwait(false);
                await ExpireAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _log.Log(LogLevel.Verbose, "Provider stopping.");
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _myPubKey = (await _node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        _promise = new QuotePromise(Convert.FromHexString(LoadOrCreateSecret("provider-promise.secret", () => Convert.ToHexString(QuotePromise.NewSecret()))));
        _wireGuardKey = WireGuardPrivateKey.Parse(LoadOrCreateSecret("provider-wireguard.key", () => WireGuardPrivateKey.Generate().RevealBase64()));

        if (!_options.ConfigOnly)
        {
            await EnsureInterfaceAsync(cancellationToken).ConfigureAwait(false);
        }

        await ReapplyAsync(cancellationToken).ConfigureAwait(false);
        _rpc.Handle(PeerProtocol.Quote, (peer, p, ct) => Guard(() => QuoteAsync(peer, JsonRpcCodec.ReadPayload<QuoteRequest>(p))));
        _rpc.Handle(PeerProtocol.Accept, (peer, p, ct) => Guard(() => AcceptAsync(peer, JsonRpcCodec.ReadPayload<AcceptRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Activate, (peer, p, ct) => Guard(() => ActivateAsync(peer, JsonRpcCodec.ReadPayload<ActivateRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Refresh, (peer, p, ct) => Guard(() => RefreshAsync(peer, JsonRpcCodec.ReadPayload<RefreshRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Status, (peer, p, ct) => Guard(() => StatusAsync(peer, JsonRpcCodec.ReadPayload<StatusRequest>(p))));
        _rpc.Start();
        _log.Log(LogLevel.Info, $"Selling tunnels on {_options.Endpoint} as {_myPubKey}, WireGuard key {PublicKey}, pool {_options.Subnet}.");
    }

    private static async Task<object> Guard(Func<Task<object>> handler) => await handler().ConfigureAwait(false);

    private string LoadOrCreateSecret(string name, Func<string> create)
    {
        if (_store.ReadSecret(name) is { } existing)
        {
            return existing.Trim();
        }

        var value = create();
        _store.SaveSecret(name, value);
        return value;
    }

    private async Task EnsureInterfaceAsync(CancellationToken cancellationToken)
    {
        if (await _wireGuard.GetDeviceAsync(_options.InterfaceName, cancellationToken).ConfigureAwait(false) is null)
        {
            await _wireGuard.CreateInterfaceAsync(_options.InterfaceName, new InterfaceOptions
            {
                PrivateKey = _wireGuardKey,
                ListenPort = _options.ListenPort,
                Addresses = [new IpPrefix(_pool.SellerAddress, _options.Subnet.PrefixLength)],
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _wireGuard.ConfigureDeviceAsync(_options.InterfaceName,
                new DeviceConfig { PrivateKey = _wireGuardKey, ListenPort = _options.ListenPort }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReapplyAsync(CancellationToken cancellationToken)
    {
        foreach (var stored in _store.All(ReportUnreadable).Where(c => c.Role == ContractRole.Seller))
        {
            var contract = await FinishSettlementAsync(stored, cancellationToken).ConfigureAwait(false);
            if (contract.State is ContractState.Active or ContractState.AwaitingPayment && contract.BuyerAddress.Length > 0)
            {
                _pool.Reserve(IPAddress.Parse(contract.BuyerAddress));
            }

            if (contract.State == ContractState.Active && contract.ExpiresAt > _clock.GetUtcNow() && !_options.ConfigOnly)
            {
                await AddPeerAsync(contract, cancellationToken).ConfigureAwait(false);
                _log.Log(LogLevel.Verbose, $"Re-applied contract {contract.Id} until {contract.ExpiresAt:u}.");
            }
        }

        await ExpireAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes what a seller that died between recording and settling left undone: an activation or a
    /// refresh whose invoice is still held is settled now. An activated contract whose invoice was cancelled while
    /// the seller was down (it lapsed, refunding the buyer) was never paid for, and is cancelled too.</summary>
    private async Task<ContractRecord> FinishSettlementAsync(ContractRecord contract, CancellationToken cancellationToken)
    {
        if (contract.State == ContractState.Active && !contract.InvoiceSettled)
        {
            var invoice = await _node.LookupInvoiceAsync(Convert.FromHexString(contract.PaymentHash), cancellationToken).ConfigureAwait(false);
            if (invoice?.State == InvoiceState.Accepted)
            {
                await _node.SettleInvoiceAsync(Convert.FromHexString(contract.Preimage!), cancellationToken).ConfigureAwait(false);
                _log.Log(LogLevel.Info, $"Contract {contract.Id}: settled the invoice a restart had left held.");
            }

            contract = invoice?.State is InvoiceState.Accepted or InvoiceState.Settled
                ? contract with { InvoiceSettled = true }
                : contract with { State = ContractState.Cancelled };
            if (contract.State == ContractState.Cancelled)
            {
                _log.Log(LogLevel.Warning, $"Contract {contract.Id}: activated, but its invoice was never paid ({invoice?.State.ToString() ?? "missing"}); cancelled.");
            }

            _store.Save(contract);
        }

        if (contract.Refresh is { Applied: true } applied)
        {
            await SettleIfHeldAsync(applied.PaymentHash, applied.Preimage, cancellationToken).ConfigureAwait(false);
            contract = contract with { Refresh = null };
            _store.Save(contract);
        }

        return contract;
    }

    /// <summary>Settles a hold invoice that is ACCEPTED (paid and held); says whether it did.</summary>
    private async Task<bool> SettleIfHeldAsync(string paymentHash, string preimage, CancellationToken cancellationToken)
    {
        var invoice = await _node.LookupInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false);
        if (invoice?.State != InvoiceState.Accepted)
        {
            return false;
        }

        await _node.SettleInvoiceAsync(Convert.FromHexString(preimage), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Cancels an invoice that will not be honoured: unpaid, it can no longer be paid; held, the payment
    /// returns to the buyer. An invoice already cancelled or gone is no error here.</summary>
    private async Task CancelQuietlyAsync(string paymentHash, string why, CancellationToken cancellationToken)
    {
        try
        {
            await _node.CancelInvoiceAsync(Convert.FromHexString(paymentHash), cancellationToken).ConfigureAwait(false);
        }
        catch (LightningException e)
        {
            _log.Log(LogLevel.Debug, $"Cancelling the invoice {paymentHash[..16]}… ({why}): {e.Message}");
        }
    }

    private Task<object> QuoteAsync(string peer, QuoteRequest request)
    {
        if (!_rateLimiter.TryTake(peer))
        {
            throw new ProtocolException(ProtocolErrorCode.RateLimited, "Too many quotes; try again in a minute.");
        }

        var offer = request.Offer ?? new TunnelOffer();
        if (offer.AddressFamily != (_options.Subnet.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4")
            || offer.Mode != "node-to-node")
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"This seller offers {OfferedFamily()} node-to-node tunnels only.");
        }

        var duration = TimeSpan.FromSeconds(request.DurationSeconds);
        var price = _options.Pricing.PriceFor(duration);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var expires = _clock.GetUtcNow().Add(_options.QuoteLifetime).ToUnixTimeSeconds();
        _log.Log(LogLevel.Verbose, $"Quote for {peer[..16]}…: {price} sat for {duration}.");
        return Task.FromResult<object>(new QuoteResponse(nonce, price, request.DurationSeconds, expires, offer,
            _promise.Sign(peer, nonce, price, request.DurationSeconds, expires, offer)));
    }

    private string OfferedFamily() => _options.Subnet.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    private async Task<object> AcceptAsync(string peer, AcceptRequest request, CancellationToken cancellationToken)
    {
        if (!_promise.Verify(peer, request.Nonce, request.PriceSat, request.DurationSeconds, request.ExpiresAt, request.Offer, request.Promise))
        {
            throw new ProtocolException(ProtocolErrorCode.TermsMismatch, "These are not the terms this seller quoted to you.");
        }

        var now = _clock.GetUtcNow();
        if (now.ToUnixTimeSeconds() >= request.ExpiresAt)
        {
            throw new ProtocolException(ProtocolErrorCode.QuoteExpired, "The quote has expired; ask for a new one.");
        }

        if (!WireGuardPublicKey.TryParse(request.BuyerWireGuardKey, out var buyerKey))
        {
            throw new ProtocolException(ProtocolErrorCode.InvalidParams, "buyer_wire_guard_key is not a WireGuard public key.");
        }

        // Remember used nonces until their quote would have expired anyway: bounded state.
        foreach (var (stale, until) in _usedNonces.Where(n => n.Value < now).ToList())
        {
            _usedNonces.TryRemove(stale, out _);
        }

        if (!_usedNonces.TryAdd(request.Nonce, DateTimeOffset.FromUnixTimeSeconds(request.ExpiresAt)))
        {
            throw new ProtocolException(ProtocolErrorCode.NonceReused, "This quote was accepted already; ask for a new one.");
        }

        await _contractGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var contracts = _store.All(ReportUnreadable).Where(c => c.Role == ContractRole.Seller).ToList();
            if (contracts.Count(c => c.State == ContractState.AwaitingPayment) >= _options.MaxOpenContracts
                || contracts.Count(c => c.State == ContractState.Active) >= _options.MaxActiveContracts)
            {
                throw new ProtocolException(ProtocolErrorCode.CapacityReached, "This seller is at capacity; try later.");
            }

            var address = _pool.Lease();
            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            var preimage = RandomNumberGenerator.GetBytes(32);
            var hash = SHA256.HashData(preimage);
            var terms = new ContractTerms(id, _myPubKey, peer, buyerKey!.ToBase64(), request.PriceSat, request.DurationSeconds, request.Nonce);
            var invoiceLifetime = Math.Max(60, request.ExpiresAt - now.ToUnixTimeSeconds());
            CreatedInvoice invoice;
            try
            {
                invoice = await _node.AddHoldInvoiceAsync(new HoldInvoiceRequest(hash, request.PriceSat,
                    DescriptionHash: terms.DescriptionHash(), ExpirySeconds: invoiceLifetime), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _pool.Release(address);
                throw;
            }

            _store.Save(new ContractRecord
            {
                Id = id,
                Role = ContractRole.Seller,
                PeerPubKey = peer,
                State = ContractState.AwaitingPayment,
                PriceSat = request.PriceSat,
                DurationSeconds = request.DurationSeconds,
                Nonce = request.Nonce,
                PaymentHash = Convert.ToHexString(hash).ToLowerInvariant(),
                Preimage = Convert.ToHexString(preimage).ToLowerInvariant(),
                PaymentRequest = invoice.PaymentRequest,
                BuyerWireGuardKey = buyerKey.ToBase64(),
                SellerWireGuardKey = PublicKey.ToBase64(),
                Endpoint = _options.Endpoint,
                BuyerAddress = address.ToString(),
                SellerAddress = _pool.SellerAddress.ToString(),
                AllowedIps = [new IpPrefix(_pool.SellerAddress, _pool.SellerAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32).ToString()],
                QuoteExpiresAt = now.AddSeconds(invoiceLifetime),
            });
            _log.Log(LogLevel.Info, $"Contract {id} accepted by {peer[..16]}…: {request.PriceSat} sat, hold invoice issued.");
            return new AcceptResponse(id, invoice.PaymentRequest, address.ToString());
        }
        finally
        {
            _contractGate.Release();
        }
    }

    private async Task<object> ActivateAsync(string peer, ActivateRequest request, CancellationToken cancellationToken)
    {
        await _contractGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var contract = OwnContract(peer, request.ContractId);
            var hash = request.PaymentHash.ToLowerInvariant();
            if (contract.Refresh is { } refresh && refresh.PaymentHash == hash)
            {
                return await ExtendAsync(contract, refresh, cancellationToken).ConfigureAwait(false);
            }

            if (hash != contract.PaymentHash)
            {
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "That payment hash belongs to no invoice of this contract.");
            }

            if (contract.State == ContractState.Active)
            {
                // Recorded active but not settled (this seller died in between): the buyer's held payment is its
                // proof, and settling completes the purchase.
                if (!contract.InvoiceSettled && await SettleIfHeldAsync(contract.PaymentHash, contract.Preimage!, cancellationToken).ConfigureAwait(false))
                {
                    var settledNow = contract with { InvoiceSettled = true };
                    _store.Save(settledNow);
                    return Describe(settledNow);
                }

                // Already active: the buyer lost its config and proves payment with the preimage.
                if (request.Preimage is null || !string.Equals(request.Preimage, contract.Preimage, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ProtocolException(ProtocolErrorCode.NotPaid, "The contract is active; send the payment preimage to fetch its configuration again.");
                }

                return Describe(contract);
            }

            if (contract.State != ContractState.AwaitingPayment)
            {
                throw new ProtocolException(ProtocolErrorCode.ContractExpired, $"The contract is {contract.State}.");
            }

            var invoice = await _node.LookupInvoiceAsync(Convert.FromHexString(hash), cancellationToken).ConfigureAwait(false);
            if (invoice is null || invoice.State != InvoiceState.Accepted)
            {
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "The hold invoice has not been paid yet.");
            }

            var activated = contract with { State = ContractState.Active, ExpiresAt = WholeSeconds(_clock.GetUtcNow().AddSeconds(contract.DurationSeconds)) };
            try
            {
                if (!_options.ConfigOnly)
                {
                    await AddPeerAsync(activated, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WireGuardException or IOException)
            {
                // Nothing was delivered, so nothing is charged: cancelling the hold invoice refunds the buyer.
                await _node.CancelInvoiceAsync(Convert.FromHexString(hash), CancellationToken.None).ConfigureAwait(false);
                _store.Save(contract with { State = ContractState.Cancelled });
                _pool.Release(IPAddress.Parse(contract.BuyerAddress));
                _log.Log(LogLevel.Warning, $"Contract {contract.Id}: provisioning failed ({e.Message}); invoice cancelled, buyer refunded.");
                throw new ProtocolException(ProtocolErrorCode.ProvisioningFailed, "The seller could not set up the tunnel; your payment was refunded.");
            }

            // Record before settling: a crash between the two leaves an active, unsettled contract whose invoice is
            // still ACCEPTED, which the next start settles (FinishSettlementAsync) or the buyer's retry completes —
            // never a paid, unrecorded one.
            _store.Save(activated);
            await _node.SettleInvoiceAsync(Convert.FromHexString(contract.Preimage!), cancellationToken).ConfigureAwait(false);
            var settled = activated with { InvoiceSettled = true };
            _store.Save(settled);
            _log.Log(LogLevel.Info, $"Contract {contract.Id} active until {activated.ExpiresAt:u}; invoice settled.");
            return Describe(settled);
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

    private Task<object> StatusAsync(string peer, StatusRequest request)
    {
        var contract = OwnContract(peer, request.ContractId);
        return Task.FromResult<object>(new StatusResponse(contract.Id, contract.State.ToString(), contract.ExpiresAt?.ToUnixTimeSeconds() ?? 0));
    }

    private ContractRecord OwnContract(string peer, string id)
    {
        ContractRecord? contract = null;
        try
        {
            contract = _store.Find(id);
        }
        catch (ArgumentException)
        {
        }

        return contract is not null && contract.Role == ContractRole.Seller && contract.PeerPubKey == peer
            ? contract
            : throw new ProtocolException(ProtocolErrorCode.UnknownContract, "No such contract with you.");
    }

    /// <summary>Removes expired tunnels and lets unpaid invoices lapse. Public so tests and restarts can run it at once.</summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        foreach (var contract in _store.All(ReportUnreadable).Where(c => c.Role == ContractRole.Seller))
        {
            if (contract.State == ContractState.Active && contract.ExpiresAt <= now)
            {
                if (!_options.ConfigOnly)
                {
                    await _wireGuard.ConfigureDeviceAsync(_options.InterfaceName,
                        new DeviceConfig { Peers = [PeerConfig.Removal(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))] }, cancellationToken).ConfigureAwait(false);
                }

                if (contract.Refresh is { Applied: false } unpaid)
                {
                    await CancelQuietlyAsync(unpaid.PaymentHash, "the contract expired", cancellationToken).ConfigureAwait(false);
                }

                _store.Save(contract with { State = ContractState.Expired, Refresh = contract.Refresh is { Applied: true } ? contract.Refresh : null });
                _pool.Release(IPAddress.Parse(contract.BuyerAddress));
                _log.Log(LogLevel.Info, $"Contract {contract.Id} expired; peer removed.");
            }
            else if (contract.Refresh is { Applied: false } lapsed && lapsed.InvoiceExpiresAt <= now)
            {
                // Never activated in time: a payment still held goes back to the buyer.
                await CancelQuietlyAsync(lapsed.PaymentHash, "the refresh lapsed", cancellationToken).ConfigureAwait(false);
                _store.Save(contract with { Refresh = null });
            }
            else if (contract.State == ContractState.AwaitingPayment && contract.QuoteExpiresAt <= now)
            {
                await CancelQuietlyAsync(contract.PaymentHash, "the quote lapsed", cancellationToken).ConfigureAwait(false);
                _store.Save(contract with { State = ContractState.Cancelled });
                _pool.Release(IPAddress.Parse(contract.BuyerAddress));
            }
        }
    }

    // One unreadable file must not stop a seller serving every other contract; a person has to look at it.
    private void ReportUnreadable(CorruptContractException e) => _log.Log(LogLevel.Warning, e.Message);

    private Task AddPeerAsync(ContractRecord contract, CancellationToken cancellationToken) =>
        _wireGuard.ConfigureDeviceAsync(_options.InterfaceName, new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(WireGuardPublicKey.Parse(contract.BuyerWireGuardKey))
                {
                    ReplaceAllowedIps = true,
                    AllowedIps = [IpPrefix.Parse(contract.BuyerAddress)],
                },
            ],
        }, cancellationToken);

    private ActivateResponse Describe(ContractRecord contract) => new(
        contract.Id,
        contract.SellerWireGuardKey,
        contract.Endpoint,
        contract.BuyerAddress,
        contract.SellerAddress,
        contract.AllowedIps,
        contract.ExpiresAt?.ToUnixTimeSeconds() ?? 0);

    // The protocol carries times as Unix seconds; keeping whole seconds here makes both sides' records agree.
    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    public ValueTask DisposeAsync() => _rpc.DisposeAsync();

}
