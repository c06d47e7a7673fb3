using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buyer;

/// <summary>
/// The buyer: asks a seller for a quote, accepts and pays it (refusing any invoice that is not the seller's, not
/// the agreed amount or not committed to the agreed terms), activates the tunnel, brings up WireGuard and waits for
/// the first handshake; refreshes; lists. A payment is never made twice for one contract: the payment hash is
/// stored before paying, and the node is asked about it before any (re)payment.
/// </summary>
public sealed partial class VpnBuyer : IAsyncDisposable
{
    private readonly ILightningNode _node;
    private readonly WireGuardHost? _wireGuard;
    private readonly ContractStore _store;
    private readonly IProgressLog _log;
    private readonly PeerRpcEndpoint _rpc;
    private string? _myPubKey;

    public VpnBuyer(ILightningNode node, WireGuardHost? wireGuard, ContractStore store, IProgressLog? log = null)
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
        var decoded = await DecodeSellerInvoiceAsync(accepted.PaymentRequest, cancellationToken).ConfigureAwait(false);
        CheckInvoice(decoded, quote.SellerPubKey, quote.PriceSat, terms.DescriptionHash());
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
        RefuseRemoved(contract);
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

    public IReadOnlyList<ContractRecord> List() => _store.All().Where(c => c.Role == ContractRole.Buyer).ToList();

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

    private static void RefuseRemoved(ContractRecord contract)
    {
        if (contract.TunnelRemoved)
        {
            throw new PurchaseException(PurchaseError.TunnelRemoved, $"Tunnel {contract.Id} was removed from this machine (its private key is gone); buy a new one.");
        }
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
