using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The buyer's line to a seller: makes sure the node is connected to it (the given address first, then the
/// graph's), calls its methods over the peer protocol, and turns what goes wrong into <see cref="PurchaseException"/>.
/// A call refused because the peer dropped (LND's NotFound) makes the link connect again (the given address, then
/// the graph's) and send the same request, same id, again, a bounded number of times with growing pauses
/// (<see cref="PeerRpcEndpoint.CallAsync{TResult}"/>): the seller answers a repeated id with its first answer, so
/// an accept or refresh that reached it before the drop is never acted on twice, and one whose answer the drop lost
/// is answered again.
/// </summary>
public sealed class SellerLink : IAsyncDisposable
{
    private readonly ILightningNode _node;
    private readonly IProgressLog _log;
    private readonly PeerRpcEndpoint _rpc;

    public SellerLink(ILightningNode node, IProgressLog log)
    {
        _node = node;
        _log = log;
        _rpc = new PeerRpcEndpoint(node, log);
    }

    public async Task ConnectAsync(SellerNode seller, CancellationToken cancellationToken)
    {
        if ((await _node.ListPeersAsync(cancellationToken).ConfigureAwait(false)).Any(p => p.PubKey == seller.PubKey))
        {
            return;
        }

        var graph = await _node.GetNodeInfoAsync(seller.PubKey, cancellationToken).ConfigureAwait(false);
        var addresses = (seller.Address is null ? [] : new[] { seller.Address }).Concat(graph?.Addresses ?? []).Distinct();
        foreach (var address in addresses)
        {
            try
            {
                await _node.ConnectPeerAsync(seller.PubKey, address, cancellationToken).ConfigureAwait(false);
                _log.Log(LogLevel.Verbose, $"Connected to the seller at {address}.");
                return;
            }
            catch (LightningException e)
            {
                _log.Log(LogLevel.Verbose, $"Could not connect to the seller at {address}: {e.Message}");
            }
        }

        throw new PurchaseException(PurchaseError.SellerUnreachable, seller.Address is null && graph is null
            ? $"Cannot connect to the seller {seller.PubKey}: it is not in your node's graph and no address was given for it."
            : $"Cannot connect to the seller {seller.PubKey}: none of its addresses answers.");
    }

    /// <summary>Calls <paramref name="method"/> on the seller, which must be connected (<see cref="ConnectAsync"/>).
    /// A seller that answers "rate limited" (1005) ran nothing: that is "not yet", so the call is made again after a
    /// pause that doubles (0.25 s up to 2 s), until <paramref name="timeout"/> has passed.</summary>
    public async Task<T> CallAsync<T>(SellerNode seller, string method, object request, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        var pause = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                return await CallOnceAsync<T>(seller, method, request, deadline - DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
            }
            catch (PurchaseException e) when (e.InnerException is ProtocolException { Code: ProtocolErrorCode.RateLimited } && DateTime.UtcNow + pause < deadline)
            {
                _log.Log(LogLevel.Verbose, $"The seller is rate-limiting this node; asking {method} again in {pause.TotalSeconds:0.##} s.");
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromMilliseconds(Math.Min(2000, pause.TotalMilliseconds * 2));
            }
        }
    }

    private async Task<T> CallOnceAsync<T>(SellerNode seller, string method, object request, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await _rpc.CallAsync<T>(seller.PubKey, method, request, timeout, cancellationToken,
                reconnect: ct => ConnectAsync(seller, ct)).ConfigureAwait(false);
        }
        catch (ProtocolException e) when (e.Code == ProtocolErrorCode.MethodNotFound)
        {
            throw new PurchaseException(PurchaseError.SellerRefused,
                $"The seller does not know {method} (peer protocol version {PeerProtocol.Version}): it runs an older ImpVpn. Its version 1 lets a seller keep a payment without delivering, so this buyer does not use it.", e);
        }
        catch (ProtocolException e)
        {
            var error = e.Code switch
            {
                ProtocolErrorCode.QuoteExpired or ProtocolErrorCode.NonceReused => PurchaseError.QuoteExpired,
                // Only a quote is refused for its offer; the code from any later step is a refusal like others.
                ProtocolErrorCode.OfferNotSold when method == PeerProtocol.Quote => PurchaseError.OfferNotSold,
                ProtocolErrorCode.DurationOutOfRange when method == PeerProtocol.Quote => PurchaseError.DurationNotSold,
                _ => PurchaseError.SellerRefused,
            };
            throw new PurchaseException(error, e.Message, e);
        }
        catch (Exception e) when (e is TimeoutException or PeerNotConnectedException)
        {
            throw new PurchaseException(PurchaseError.SellerUnreachable, $"The seller {NodePubKey.Abbreviate(seller.PubKey)} did not answer {method}: {e.Message}", e);
        }
    }

    public ValueTask DisposeAsync() => _rpc.DisposeAsync();
}
