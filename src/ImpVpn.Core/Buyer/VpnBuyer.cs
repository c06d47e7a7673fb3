using System.Net;
using System.Security.Cryptography;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard;
using ImpVpn.Core.WireGuard.Keys;

namespace ImpVpn.Core.Buyer;

/// <summary>
/// The buyer: asks a seller for a quote, accepts and pays it (refusing any invoice that is not the seller's, not
/// the agreed amount or not committed to the agreed terms), activates the tunnel, brings up WireGuard and waits for
/// the first handshake; refreshes; lists. A payment is never made twice for one contract: the payment hash is
/// stored before paying, and the node is asked about it before any (re)payment.
/// </summary>
public sealed class VpnBuyer : IAsyncDisposable
{
    private readonly ILightningNode _node;
    private readonly IWireGuardClient? _wireGuard;
    private readonly ContractStore _store;
    private readonly IProgressLog _log;
    private readonly PeerRpcEndpoint _rpc;
    private string? _myPubKey;

    public VpnBuyer(ILightningNode node, IWireGuardClient? wireGuard, ContractStore store, IProgressLog? log = null)
    {
        _node = node;
        _wireGuard = wireGuard;
        _store = store;
        _log = log ?? NullProgressLog.Instance;
        _rpc = new PeerRpcEndpoint(node, _log);
    }

    /// <param name="sellerAddress">The seller's host:port for LND to connect to, tried before the addresses the
    /// node graph has for it (a seller without public channels is not in the graph at all).</param>
    public async Task<VpnQuote> RequestQuoteAsync(
        string sellerPubKey, TimeSpan duration, TimeSpan replyTimeout, CancellationToken cancellationToken, string? sellerAddress = null)
    {
        var seller = NormalizePubKey(sellerPubKey);
        await EnsureConnectedAsync(seller, sellerAddress, cancellationToken).ConfigureAwait(false);
        var response = await CallSellerAsync<QuoteResponse>(seller, PeerProtocol.Quote,
            new QuoteRequest((long)duration.TotalSeconds, new TunnelOffer()), replyTimeout, cancellationToken).ConfigureAwait(false);
        var quote = VpnQuote.From(seller, response) with { SellerAddress = sellerAddress };
        _log.Log(LogLevel.Verbose, $"Quote from {seller}: {quote.PriceSat} sat for {quote.Duration}, valid until {quote.ExpiresAt:u}.");
        return quote;
    }

    public async Task<ContractRecord> ConfirmAsync(VpnQuote quote, BuyerOptions options, CancellationToken cancellationToken)
    {
        if (options.MaxPriceSat is { } max && quote.PriceSat > max)
        {
            throw new PurchaseException(PurchaseError.PriceAboveMaximum, $"The seller asks {quote.PriceSat} sat; the most you allowed is {max} sat. Nothing was paid.");
        }

        if (quote.IsExpired(DateTimeOffset.UtcNow))
        {
            throw new PurchaseException(PurchaseError.QuoteExpired, $"The quote expired at {quote.ExpiresAt:u}; request a new one. Nothing was paid.");
        }

        _myPubKey ??= (await _node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        await EnsureConnectedAsync(quote.SellerPubKey, quote.SellerAddress, cancellationToken).ConfigureAwait(false);
        using var wireGuardKey = WireGuardPrivateKey.Generate();
        _log.Progress(new ProgressUpdate("Buying a tunnel", "Accepting the quote", 10));
        var accepted = await CallSellerAsync<AcceptResponse>(quote.SellerPubKey, PeerProtocol.Accept, new AcceptRequest(
            quote.Nonce, quote.PriceSat, (long)quote.Duration.TotalSeconds, quote.ExpiresAt.ToUnixTimeSeconds(), quote.Offer, quote.Promise,
            wireGuardKey.PublicKey.ToBase64()), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);

        var terms = new ContractTerms(accepted.ContractId, quote.SellerPubKey, _myPubKey, wireGuardKey.PublicKey.ToBase64(),
            quote.PriceSat, (long)quote.Duration.TotalSeconds, quote.Nonce);
        var decoded = await CheckInvoiceAsync(accepted.PaymentRequest, quote.SellerPubKey, quote.PriceSat, terms.DescriptionHash(), cancellationToken).ConfigureAwait(false);
        var contractId = ValidContractId(accepted.ContractId);
        _log.Log(LogLevel.Verbose, $"Contract {contractId}: the seller's invoice pays {quote.SellerPubKey}, asks exactly {quote.PriceSat} sat and commits to the terms (payment hash {Convert.ToHexString(decoded.PaymentHash).ToLowerInvariant()}).");

        _store.SaveSecret(contractId + ".key", wireGuardKey.RevealBase64());
        var contract = new ContractRecord
        {
            Id = contractId,
            Role = ContractRole.Buyer,
            PeerPubKey = quote.SellerPubKey,
            PeerAddress = quote.SellerAddress,
            State = ContractState.Paying,
            PriceSat = quote.PriceSat,
            DurationSeconds = (long)quote.Duration.TotalSeconds,
            Nonce = quote.Nonce,
            PaymentHash = Convert.ToHexString(decoded.PaymentHash).ToLowerInvariant(),
            PaymentRequest = accepted.PaymentRequest,
            BuyerWireGuardKey = wireGuardKey.PublicKey.ToBase64(),
            BuyerAddress = accepted.BuyerAddress,
            InterfaceName = InterfaceName.Random("ivpn"),
            QuoteExpiresAt = quote.ExpiresAt,
        };

        // Recorded before any payment: if this process dies from here on, running again finds the hash and asks
        // the node about it instead of paying a second time.
        _store.Save(contract);
        _log.Log(LogLevel.Debug, $"Contract {contractId} recorded in {_store.Root} before paying.");
        return await PayAndActivateAsync(contract, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a contract left in Paying by a crash: the node is asked about the payment first; only a
    /// payment the node never attempted (or one that failed) is made again.</summary>
    public Task<ContractRecord> ResumeAsync(string contractId, BuyerOptions options, CancellationToken cancellationToken)
    {
        var contract = _store.Find(contractId) ?? throw new PurchaseException(PurchaseError.UnknownContract, $"No contract {contractId} in {_store.Root}.");
        if (contract.State == ContractState.Paying && options.MaxPriceSat is { } max && contract.PriceSat > max)
        {
            throw new PurchaseException(PurchaseError.PriceAboveMaximum, $"Finishing contract {contract.Id} may pay {contract.PriceSat} sat; the most you allowed is {max} sat. Nothing was paid.");
        }

        return contract.State switch
        {
            ContractState.Paying => PayAndActivateAsync(contract, options, cancellationToken),
            ContractState.Active when options.ConfigOnly || _wireGuard is null => Task.FromResult(contract),
            ContractState.Active => RefetchAsync(contract, options, cancellationToken),
            _ => Task.FromResult(contract),
        };
    }

    private async Task<ContractRecord> RefetchAsync(ContractRecord contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        var activation = await CallSellerAsync<ActivateResponse>(contract.PeerPubKey, PeerProtocol.Activate,
            new ActivateRequest(contract.Id, contract.PaymentHash, contract.Preimage), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        var active = Apply(contract, activation);
        _store.Save(active);
        return await BringUpAsync(active, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ContractRecord> PayAndActivateAsync(ContractRecord contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        var hash = Convert.FromHexString(contract.PaymentHash);
        var payment = await _node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
        Task<PaymentResult>? paying = null;
        if (payment is null || payment.Status == PaymentStatus.Failed)
        {
            _log.Progress(new ProgressUpdate("Buying a tunnel", $"Paying {contract.PriceSat} sat (fee at most {options.FeeLimitSat} sat)", 30));
            _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paying {contract.PriceSat} sat, routing fee at most {options.FeeLimitSat} sat.");
            paying = _node.PayAsync(new PaymentOrder(contract.PaymentRequest, options.FeeLimitSat, TimeSpan.FromSeconds(60)), cancellationToken);
        }
        else
        {
            _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: the node already has this payment ({payment.Status}); not paying again.");
        }

        // A hold invoice keeps the payment in flight until the seller has set up the tunnel and settled.
        var inFlight = await WaitForPaymentToHoldAsync(hash, paying, cancellationToken).ConfigureAwait(false);
        if (inFlight.Status == PaymentStatus.Failed)
        {
            _store.Save(contract with { State = ContractState.Cancelled });
            throw new PurchaseException(PurchaseError.PaymentFailed, $"The payment failed ({inFlight.FailureReason}); nothing was spent.");
        }

        _log.Progress(new ProgressUpdate("Buying a tunnel", "Payment held; asking the seller to activate", 60));
        _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: payment {inFlight.Status}; asking the seller to add the peer and settle.");
        ActivateResponse activation;
        try
        {
            // Already settled (a run that died after paying): the preimage proves payment to the seller.
            var proof = inFlight.Status == PaymentStatus.Succeeded && inFlight.Preimage is { } preimage
                ? Convert.ToHexString(preimage).ToLowerInvariant()
                : null;
            activation = await CallSellerAsync<ActivateResponse>(contract.PeerPubKey, PeerProtocol.Activate,
                new ActivateRequest(contract.Id, contract.PaymentHash, proof), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PurchaseException e)
        {
            // The seller did not activate. Its hold invoice was not settled: it will be cancelled (by the seller at
            // once on a provisioning failure, or when it lapses), refunding the payment.
            var final = paying is null ? null : await FinalOrNullAsync(paying, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            _store.Save(contract with { State = final?.Status == PaymentStatus.Failed ? ContractState.Cancelled : ContractState.Paying });
            throw new PurchaseException(PurchaseError.ActivationFailed, e.Message + (final?.Status == PaymentStatus.Failed ? " The payment was refunded." : string.Empty), e);
        }

        var settled = paying is null
            ? await _node.TrackPaymentAsync(hash, waitForFinal: true, cancellationToken).ConfigureAwait(false)
            : await paying.ConfigureAwait(false);
        if (settled is null || settled.Status != PaymentStatus.Succeeded || settled.Preimage is null
            || !SHA256.HashData(settled.Preimage).AsSpan().SequenceEqual(hash))
        {
            throw new PurchaseException(PurchaseError.PaymentFailed, "The seller activated, but the payment did not complete with a valid preimage.", moneyMoved: false);
        }

        var active = Apply(contract, activation) with
        {
            State = ContractState.Active,
            PaidSat = settled.ValueSat,
            FeePaidSat = settled.FeeSat,
            Preimage = Convert.ToHexString(settled.Preimage).ToLowerInvariant(),
        };
        _store.Save(active);
        _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: paid {active.PaidSat} sat + {active.FeePaidSat} sat fee; proof of payment stored. Tunnel {active.BuyerAddress} via {active.Endpoint} until {active.ExpiresAt:u}.");
        return await BringUpAsync(active, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PaymentResult> WaitForPaymentToHoldAsync(byte[] hash, Task<PaymentResult>? paying, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        // The payment is usually in flight within milliseconds: ask again soon, then back off to 50 ms.
        var pause = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (paying is { IsCompleted: true })
            {
                if (paying.Exception?.InnerException is LightningRpcException refusal
                    && await _node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false) is null)
                {
                    // The node refused to start the payment at all (an expired invoice, say): nothing left it, so it
                    // is a failed payment like any other and the caller records it as such.
                    _log.Log(LogLevel.Warning, $"Your node refused the payment: {refusal.Message}");
                    return new PaymentResult(hash, PaymentStatus.Failed, PaymentFailureReason.Error, 0, 0, null);
                }

                return await paying.ConfigureAwait(false);
            }

            var state = await _node.TrackPaymentAsync(hash, waitForFinal: false, cancellationToken).ConfigureAwait(false);
            if (state is not null && state.Status is PaymentStatus.InFlight or PaymentStatus.Succeeded or PaymentStatus.Failed)
            {
                return state;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new PurchaseException(PurchaseError.PaymentFailed, "The payment did not start within 60 s.");
            }

            // A payment that ends (fails fast, say) wakes this at once rather than after the pause.
            var delay = Task.Delay(pause, cancellationToken);
            await (paying is null ? delay : Task.WhenAny(paying, delay)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            pause = TimeSpan.FromMilliseconds(Math.Min(50, pause.TotalMilliseconds * 2));
        }
    }

    private static async Task<PaymentResult?> FinalOrNullAsync(Task<PaymentResult> paying, TimeSpan wait)
    {
        try
        {
            return await paying.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public async Task<ContractRecord> RefreshAsync(string contractId, TimeSpan duration, BuyerOptions options, CancellationToken cancellationToken)
    {
        var contract = _store.Find(ValidContractId(contractId));
        if (contract is null || contract.Role != ContractRole.Buyer)
        {
            throw new PurchaseException(PurchaseError.UnknownContract, $"No contract {contractId} bought from this machine.");
        }

        _myPubKey ??= (await _node.GetInfoAsync(cancellationToken).ConfigureAwait(false)).IdentityPubKey;
        await EnsureConnectedAsync(contract.PeerPubKey, contract.PeerAddress, cancellationToken).ConfigureAwait(false);
        if (contract.RefreshBeingPaid is { } earlier)
        {
            // An earlier run paid (or began paying) for a refresh and stopped before recording it: finish that one.
            var earlierPayment = await _node.TrackPaymentAsync(Convert.FromHexString(earlier.PaymentHash), waitForFinal: false, cancellationToken).ConfigureAwait(false);
            if (earlierPayment is { Status: PaymentStatus.InFlight or PaymentStatus.Succeeded })
            {
                _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: a refresh paid earlier is {earlierPayment.Status}; finishing it instead of paying again.");
                return await FinishRefreshAsync(contract, earlier, paying: null, options, cancellationToken).ConfigureAwait(false);
            }
        }

        var offer = await CallSellerAsync<RefreshResponse>(contract.PeerPubKey, PeerProtocol.Refresh,
            new RefreshRequest(contract.Id, (long)duration.TotalSeconds), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
        if (options.MaxPriceSat is { } max && offer.PriceSat > max)
        {
            throw new PurchaseException(PurchaseError.PriceAboveMaximum, $"The refresh costs {offer.PriceSat} sat; the most you allowed is {max} sat. Nothing was paid.");
        }

        var decodedHash = (await _node.DecodePaymentRequestAsync(offer.PaymentRequest, cancellationToken).ConfigureAwait(false)).PaymentHash;
        var hashHex = Convert.ToHexString(decodedHash).ToLowerInvariant();
        var terms = new ContractTerms(contract.Id, contract.PeerPubKey, _myPubKey, contract.BuyerWireGuardKey, offer.PriceSat,
            (long)duration.TotalSeconds, hashHex, "refresh");
        await CheckInvoiceAsync(offer.PaymentRequest, contract.PeerPubKey, offer.PriceSat, terms.DescriptionHash(), cancellationToken).ConfigureAwait(false);

        // Recorded before paying, as for a purchase: a run that dies from here on is finished by the next run.
        var refresh = new RefreshPayment(hashHex, offer.PriceSat, (long)duration.TotalSeconds);
        contract = contract with { RefreshBeingPaid = refresh };
        _store.Save(contract);
        var payment = await _node.TrackPaymentAsync(decodedHash, false, cancellationToken).ConfigureAwait(false);
        var paying = payment is null || payment.Status == PaymentStatus.Failed
            ? _node.PayAsync(new PaymentOrder(offer.PaymentRequest, options.FeeLimitSat, TimeSpan.FromSeconds(60)), cancellationToken)
            : null;
        return await FinishRefreshAsync(contract, refresh, paying, options, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ContractRecord> FinishRefreshAsync(ContractRecord contract, RefreshPayment refresh, Task<PaymentResult>? paying, BuyerOptions options, CancellationToken cancellationToken)
    {
        var hash = Convert.FromHexString(refresh.PaymentHash);
        var held = await WaitForPaymentToHoldAsync(hash, paying, cancellationToken).ConfigureAwait(false);
        if (held.Status == PaymentStatus.Failed)
        {
            _store.Save(contract with { RefreshBeingPaid = null });
            throw new PurchaseException(PurchaseError.PaymentFailed, $"The refresh payment failed ({held.FailureReason}); nothing was spent.");
        }

        DateTimeOffset expiresAt;
        if (held.Status == PaymentStatus.Succeeded)
        {
            // Settled already: the seller added the time; only its new expiry is missing here.
            var status = await CallSellerAsync<StatusResponse>(contract.PeerPubKey, PeerProtocol.Status,
                new StatusRequest(contract.Id), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(status.ExpiresAt);
        }
        else
        {
            var activation = await CallSellerAsync<ActivateResponse>(contract.PeerPubKey, PeerProtocol.Activate,
                new ActivateRequest(contract.Id, refresh.PaymentHash), options.ReplyTimeout, cancellationToken).ConfigureAwait(false);
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(activation.ExpiresAt);
        }

        var settled = held.Status == PaymentStatus.Succeeded ? held
            : paying is not null ? await paying.ConfigureAwait(false)
            : await _node.TrackPaymentAsync(hash, waitForFinal: true, cancellationToken).ConfigureAwait(false);
        if (settled is not { Status: PaymentStatus.Succeeded })
        {
            throw new PurchaseException(PurchaseError.PaymentFailed, "The seller added the time, but the refresh payment did not complete; run the refresh again to finish it.", moneyMoved: false);
        }

        var refreshed = contract with
        {
            ExpiresAt = expiresAt,
            PriceSat = contract.PriceSat + refresh.PriceSat,
            PaidSat = contract.PaidSat + settled.ValueSat,
            FeePaidSat = contract.FeePaidSat + settled.FeeSat,
            RefreshBeingPaid = null,
        };
        _store.Save(refreshed);
        _log.Log(LogLevel.Verbose, $"Contract {contract.Id}: refreshed for {refresh.PriceSat} sat + {settled.FeeSat} sat fee; now expires {refreshed.ExpiresAt:u}.");
        return refreshed;
    }

    public IReadOnlyList<ContractRecord> List() => _store.All().Where(c => c.Role == ContractRole.Buyer).ToList();

    private async Task<DecodedPaymentRequest> CheckInvoiceAsync(string paymentRequest, string seller, long priceSat, byte[] termsHash, CancellationToken cancellationToken)
    {
        var decoded = await _node.DecodePaymentRequestAsync(paymentRequest, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(decoded.Destination, seller, StringComparison.OrdinalIgnoreCase))
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"The invoice pays {decoded.Destination}, not the seller {seller}. Nothing was paid.");
        }

        if (decoded.AmountMsat != priceSat * 1000)
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, $"The invoice asks {decoded.AmountMsat / 1000.0} sat, not the agreed {priceSat} sat. Nothing was paid.");
        }

        if (!decoded.DescriptionHash.AsSpan().SequenceEqual(termsHash))
        {
            throw new PurchaseException(PurchaseError.InvoiceMismatch, "The invoice's description hash does not commit to the agreed terms. Nothing was paid.");
        }

        return decoded;
    }

    private ContractRecord Apply(ContractRecord contract, ActivateResponse activation) => contract with
    {
        SellerWireGuardKey = activation.SellerWireGuardKey,
        Endpoint = activation.Endpoint,
        BuyerAddress = activation.BuyerAddress,
        SellerAddress = activation.SellerAddress,
        AllowedIps = activation.AllowedIps,
        ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(activation.ExpiresAt),
    };

    private async Task<ContractRecord> BringUpAsync(ContractRecord contract, BuyerOptions options, CancellationToken cancellationToken)
    {
        if (options.ConfigOnly || _wireGuard is null)
        {
            return contract;
        }

        _log.Progress(new ProgressUpdate("Buying a tunnel", $"Bringing up {contract.InterfaceName}", 80));
        _log.Log(LogLevel.Verbose, $"Bringing up {contract.InterfaceName} ({contract.BuyerAddress}) with peer {contract.Endpoint}.");
        var key = WireGuardPrivateKey.Parse(_store.ReadSecret(contract.Id + ".key") ?? throw new PurchaseException(PurchaseError.ActivationFailed, "The tunnel's private key is missing from the store."));
        var family = IPAddress.Parse(contract.BuyerAddress).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        await _wireGuard.DeleteInterfaceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
        await _wireGuard.CreateInterfaceAsync(contract.InterfaceName, new InterfaceOptions
        {
            PrivateKey = key,
            Addresses = [new IpPrefix(IPAddress.Parse(contract.BuyerAddress), family)],
        }, cancellationToken).ConfigureAwait(false);
        var allowed = contract.AllowedIps.Select(IpPrefix.Parse).ToList();
        await _wireGuard.ConfigureDeviceAsync(contract.InterfaceName, new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(WireGuardPublicKey.Parse(contract.SellerWireGuardKey))
                {
                    Endpoint = IPEndPoint.Parse(contract.Endpoint),
                    PersistentKeepalive = TimeSpan.FromSeconds(25),
                    ReplaceAllowedIps = true,
                    AllowedIps = allowed,
                },
            ],
        }, cancellationToken).ConfigureAwait(false);
        foreach (var route in allowed)
        {
            await _wireGuard.AddRouteAsync(contract.InterfaceName, route, cancellationToken).ConfigureAwait(false);
        }

        _log.Progress(new ProgressUpdate("Buying a tunnel", "Waiting for the first WireGuard handshake", 90));
        var deadline = DateTime.UtcNow + options.HandshakeTimeout;
        // A handshake on a working path takes a few milliseconds; reading the device is cheap (one UAPI get), so
        // look again soon and back off to 20 ms.
        var pause = TimeSpan.FromMilliseconds(1);
        while (DateTime.UtcNow < deadline)
        {
            var device = await _wireGuard.GetDeviceAsync(contract.InterfaceName, cancellationToken).ConfigureAwait(false);
            if (device?.Peers.FirstOrDefault()?.LastHandshake is not null)
            {
                _log.Log(LogLevel.Verbose, $"{contract.InterfaceName}: first handshake with {contract.Endpoint}.");
                return contract;
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(20, pause.TotalMilliseconds * 2));
        }

        _log.Log(LogLevel.Warning, $"{contract.InterfaceName} is up but no handshake with {contract.Endpoint} within {options.HandshakeTimeout.TotalSeconds:0} s.");
        return contract;
    }

    private async Task<T> CallSellerAsync<T>(string seller, string method, object request, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await _rpc.CallAsync<T>(seller, method, request, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException e)
        {
            var error = e.Code switch
            {
                ProtocolErrorCode.QuoteExpired or ProtocolErrorCode.NonceReused => PurchaseError.QuoteExpired,
                ProtocolErrorCode.UnknownContract => PurchaseError.UnknownContract,
                _ => PurchaseError.SellerRefused,
            };
            throw new PurchaseException(error, e.Message, e);
        }
        catch (Exception e) when (e is TimeoutException or PeerNotConnectedException)
        {
            throw new PurchaseException(PurchaseError.SellerUnreachable, $"The seller {seller[..16]}… did not answer {method}: {e.Message}", e);
        }
    }

    private async Task EnsureConnectedAsync(string seller, string? givenAddress, CancellationToken cancellationToken)
    {
        if ((await _node.ListPeersAsync(cancellationToken).ConfigureAwait(false)).Any(p => p.PubKey == seller))
        {
            return;
        }

        var graph = await _node.GetNodeInfoAsync(seller, cancellationToken).ConfigureAwait(false);
        var addresses = (givenAddress is null ? [] : new[] { givenAddress }).Concat(graph?.Addresses ?? []).Distinct();
        foreach (var address in addresses)
        {
            try
            {
                await _node.ConnectPeerAsync(seller, address, cancellationToken).ConfigureAwait(false);
                _log.Log(LogLevel.Verbose, $"Connected to the seller at {address}.");
                return;
            }
            catch (LightningException e)
            {
                _log.Log(LogLevel.Verbose, $"Could not connect to the seller at {address}: {e.Message}");
            }
        }

        throw new PurchaseException(PurchaseError.SellerUnreachable, givenAddress is null && graph is null
            ? $"Cannot connect to the seller {seller}: it is not in your node's graph. Give its address as {seller}@host:port."
            : $"Cannot connect to the seller {seller}: none of its addresses answers.");
    }

    private static string NormalizePubKey(string pubKey)
    {
        var key = pubKey.Trim().ToLowerInvariant();
        return key.Length == 66 && (key.StartsWith("02") || key.StartsWith("03")) && key.All(Uri.IsHexDigit)
            ? key
            : throw new ArgumentException($"'{pubKey}' is not a node public key (66 hex characters starting 02 or 03).", nameof(pubKey));
    }

    private static string ValidContractId(string id) =>
        id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit) ? id : throw new PurchaseException(PurchaseError.SellerRefused, "The seller sent an invalid contract id.");

    public ValueTask DisposeAsync() => _rpc.DisposeAsync();
}
