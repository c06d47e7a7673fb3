using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Tests.Purchase;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Adversarial;

/// <summary>What a hostile seller lies about. Each is one field of one answer (or one answer withheld); everything
/// else it says is what an honest seller would say, so the buyer's check for that one field is what stops it.</summary>
public enum Lie
{
    /// <summary>No lie: the control case, an honest seller.</summary>
    None,

    // Before the buyer pays: the accept answer and its invoice.
    InvoiceAmount,
    InvoicePayee,
    InvoiceDescriptionHash,
    InvoiceForSellersHash,
    InvoiceFinalCltv,
    BuyerAddressLoopback,
    BuyerAddressOfThisMachine,
    ContractIdPath,

    // After the buyer's payment is held: the activate answer, the tunnel, the claim.
    AllowedIpsDefaultRoute,
    AllowedIpsBuyersLan,
    EndpointLoopback,
    EndpointMulticast,
    EndpointWithNewline,
    SellerKeyMalformed,
    BuyerAddressChanged,
    ExpiryInThePast,
    ActivateWithheld,
    TunnelWithoutHandshake,
    TunnelDropsPackets,
    InvoiceCancelledButClaimAnswered,

    // A refresh of a contract bought honestly.
    RefreshForSellersHash,
    RefreshFinalCltv,
    RefreshTimeNotAdded,
    RefreshOtherTunnel,
    RefreshActivateWithheld,
    RefreshTunnelDropsPackets,
}

/// <summary>A seller that speaks protocol version 2 on bob's real (simulated) node, honestly except for one
/// <see cref="Lie"/>. It keeps every request it received, so a test can tell whether it ever learned a preimage, and
/// can cancel every invoice it issued: what its claim window (or the payment's timeout) does in the end.</summary>
internal sealed class HostileSeller : IAsyncDisposable
{
    public const long PriceSat = 500;
    private const string SellerTunnelAddress = "10.77.0.1";

    private readonly PurchaseNetwork _net;
    private readonly ILightningNode _carol;
    private readonly PeerRpcEndpoint _rpc;
    private readonly string _sellerKey = WireGuardPrivateKey.Generate().PublicKey.ToBase64();
    private readonly ConcurrentBag<byte[]> _invoiceHashes = [];
    private readonly ConcurrentDictionary<string, Accepted> _contracts = new();

    public HostileSeller(PurchaseNetwork net, ILightningNode carol)
    {
        _net = net;
        _carol = carol;
        _rpc = new PeerRpcEndpoint(net.BobNode);
        _rpc.Handle(PeerProtocol.Quote, (_, p, _) => Task.FromResult<object>(Quote(JsonRpcCodec.ReadPayload<QuoteRequest>(p))));
        _rpc.Handle(PeerProtocol.Accept, (peer, p, ct) => Remember(p, () => AcceptAsync(peer, JsonRpcCodec.ReadPayload<AcceptRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Activate, (_, p, ct) => Remember(p, () => ActivateAsync(JsonRpcCodec.ReadPayload<ActivateRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Claim, (_, p, ct) => Remember(p, () => ClaimAsync(JsonRpcCodec.ReadPayload<ClaimRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Refresh, (peer, p, ct) => Remember(p, () => RefreshAsync(peer, JsonRpcCodec.ReadPayload<RefreshRequest>(p), ct)));
        _rpc.Handle(PeerProtocol.Status, (_, p, _) => Remember(p, () =>
        {
            var id = JsonRpcCodec.ReadPayload<StatusRequest>(p).ContractId;
            return Task.FromResult<object>(new StatusResponse(id, "Active", _contracts[id].ExpiresAt.ToUnixTimeSeconds()));
        }));
        _rpc.Start();
    }

    public Lie Lie { get; set; }

    /// <summary>Every request's params as the seller received them.</summary>
    public ConcurrentBag<string> Received { get; } = [];

    /// <summary>Cancels every invoice this seller issued and not settled: a payment still held returns to the buyer.</summary>
    public async Task CancelEverythingAsync()
    {
        foreach (var hash in _invoiceHashes)
        {
            var invoice = await _net.BobNode.LookupInvoiceAsync(hash, CancellationToken.None);
            if (invoice is { State: InvoiceState.Open or InvoiceState.Accepted })
            {
                await _net.BobNode.CancelInvoiceAsync(hash, CancellationToken.None);
            }
        }
    }

    public ValueTask DisposeAsync() => _rpc.DisposeAsync();

    private async Task<object> Remember(JsonElement? parameters, Func<Task<object>> answer)
    {
        Received.Add(parameters?.GetRawText() ?? string.Empty);
        return await answer();
    }

    private static QuoteResponse Quote(QuoteRequest request) => new(
        Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
        PriceSat,
        request.DurationSeconds,
        DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
        request.Offer ?? new TunnelOffer(),
        "promise");

    private async Task<object> AcceptAsync(string buyer, AcceptRequest request, CancellationToken cancellationToken)
    {
        var id = Lie == Lie.ContractIdPath ? "../../keys/x" : Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var buyerHash = Convert.FromHexString(request.PaymentHash!);
        var hash = Lie == Lie.InvoiceForSellersHash ? SHA256.HashData(RandomNumberGenerator.GetBytes(32)) : buyerHash;
        var terms = new ContractTerms(id, _net.SellerPubKey, buyer, request.BuyerWireGuardKey, request.PriceSat, request.DurationSeconds, request.Nonce);
        var invoice = await IssueAsync(hash, Lie == Lie.InvoiceAmount ? request.PriceSat + 1 : request.PriceSat,
            Lie == Lie.InvoiceDescriptionHash ? SHA256.HashData("other terms"u8.ToArray()) : terms.DescriptionHash(),
            Lie == Lie.InvoiceFinalCltv ? 5000UL : 0, Lie == Lie.InvoicePayee ? _carol : _net.BobNode, cancellationToken);
        var address = Lie switch
        {
            Lie.BuyerAddressLoopback => "127.0.0.1",
            Lie.BuyerAddressOfThisMachine => ThisMachineNetwork.Instance.Addresses().FirstOrDefault(a => !IPAddress.IsLoopback(a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)?.ToString() ?? "127.0.0.2",
            _ => "10.77.0.2",
        };
        _contracts[id] = new Accepted(id, Convert.ToHexString(hash).ToLowerInvariant(), request.BuyerWireGuardKey, address, request.DurationSeconds, DateTimeOffset.UtcNow);
        return new AcceptResponse(id, invoice, address);
    }

    private async Task<object> ActivateAsync(ActivateRequest request, CancellationToken cancellationToken)
    {
        var contract = _contracts[request.ContractId];
        var hash = Convert.FromHexString(request.PaymentHash);
        if (Lie is Lie.ActivateWithheld or Lie.RefreshActivateWithheld)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        // As an honest seller answers: on the realistic network the buyer's payment is in flight before the invoice is
        // ACCEPTED, and "not yet" (1012) makes the buyer ask again; "not paid" (1009) is final.
        switch ((await _net.BobNode.LookupInvoiceAsync(hash, cancellationToken))?.State)
        {
            case InvoiceState.Accepted:
                break;
            case InvoiceState.Open:
                throw new ProtocolException(ProtocolErrorCode.PaymentNotYetHeld, "payment not held yet");
            default:
                throw new ProtocolException(ProtocolErrorCode.NotPaid, "not paid");
        }

        if (Lie == Lie.InvoiceCancelledButClaimAnswered)
        {
            await _net.BobNode.CancelInvoiceAsync(hash, cancellationToken);
        }

        var refreshing = request.PaymentHash != contract.PaymentHash;
        if (refreshing && Lie != Lie.RefreshTimeNotAdded)
        {
            contract = _contracts[contract.Id] = contract with { ExpiresAt = contract.ExpiresAt.AddSeconds(contract.RefreshSeconds) };
        }
        else if (!refreshing)
        {
            contract = _contracts[contract.Id] = contract with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(contract.DurationSeconds) };
        }

        return new ActivateResponse(
            contract.Id,
            Lie switch
            {
                Lie.SellerKeyMalformed => "not-a-key",
                Lie.RefreshOtherTunnel => WireGuardPrivateKey.Generate().PublicKey.ToBase64(),
                _ => _sellerKey,
            },
            Lie switch
            {
                Lie.EndpointLoopback => "127.0.0.1:22",
                Lie.EndpointMulticast => "224.0.0.1:51820",
                Lie.EndpointWithNewline => "192.0.2.1:51820\nPostUp = touch /tmp/impvpn-owned",
                _ => "192.0.2.1:51820",
            },
            Lie == Lie.BuyerAddressChanged ? "10.77.0.9" : contract.BuyerTunnelAddress,
            SellerTunnelAddress,
            Lie switch
            {
                Lie.AllowedIpsDefaultRoute => ["0.0.0.0/0"],
                Lie.AllowedIpsBuyersLan => ["10.77.0.1/32", "10.99.0.0/24"],
                _ => [SellerTunnelAddress + "/32"],
            },
            Lie == Lie.ExpiryInThePast ? DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds() : contract.ExpiresAt.ToUnixTimeSeconds());
    }

    private async Task<object> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        var contract = _contracts[request.ContractId];
        if (Lie != Lie.InvoiceCancelledButClaimAnswered)
        {
            await _net.BobNode.SettleInvoiceAsync(Convert.FromHexString(request.Preimage), cancellationToken);
        }

        return new ClaimResponse(contract.Id, contract.ExpiresAt.ToUnixTimeSeconds());
    }

    private async Task<object> RefreshAsync(string buyer, RefreshRequest request, CancellationToken cancellationToken)
    {
        var contract = _contracts[request.ContractId] = _contracts[request.ContractId] with { RefreshSeconds = request.DurationSeconds };
        var hash = Lie == Lie.RefreshForSellersHash ? SHA256.HashData(RandomNumberGenerator.GetBytes(32)) : Convert.FromHexString(request.PaymentHash!);
        var hashHex = Convert.ToHexString(hash).ToLowerInvariant();
        var terms = new ContractTerms(contract.Id, _net.SellerPubKey, buyer, contract.BuyerWireGuardKey, PriceSat, request.DurationSeconds, hashHex, "refresh");
        var invoice = await IssueAsync(hash, PriceSat, terms.DescriptionHash(), Lie == Lie.RefreshFinalCltv ? 5000UL : 0, _net.BobNode, cancellationToken);
        return new RefreshResponse(contract.Id, PriceSat, request.DurationSeconds, invoice);
    }

    private async Task<string> IssueAsync(byte[] hash, long amountSat, byte[] descriptionHash, ulong cltv, ILightningNode issuer, CancellationToken cancellationToken)
    {
        var invoice = await issuer.AddHoldInvoiceAsync(new HoldInvoiceRequest(hash, amountSat, DescriptionHash: descriptionHash, ExpirySeconds: 600, CltvExpiry: cltv), cancellationToken);
        if (ReferenceEquals(issuer, _net.BobNode))
        {
            _invoiceHashes.Add(hash);
        }

        return invoice.PaymentRequest;
    }

    private sealed record Accepted(string Id, string PaymentHash, string BuyerWireGuardKey, string BuyerTunnelAddress, long DurationSeconds, DateTimeOffset ExpiresAt)
    {
        public long RefreshSeconds { get; init; }
    }
}
