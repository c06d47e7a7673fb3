using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Before a port forward's purchase is settled, the seller proves what it sells: a TCP connection to its own public
/// host:port (through its DNAT, the same rule a stranger's connection takes) must reach the buyer's Lightning port.
/// Not reached: the claim is answered "forwarded port unreachable" (1014, a "not yet"), nothing is settled, and the
/// buyer claims again; past the claim deadline the invoice is cancelled as for any unclaimed activation.
/// </summary>
/// <remarks>The connect runs outside the contracts' lock (it may take up to
/// <see cref="PortForwardOptions.ConnectBackTimeout"/>), so other buyers are not held up; the claim then reads the
/// contract afresh under the lock.</remarks>
internal sealed class ConnectBackCheck(SoldContracts contracts, SellerOptions options, IConnectBack connectBack, IProgressLog log)
{
    /// <exception cref="ProtocolException">The forwarded port did not reach the buyer (1014).</exception>
    public async Task RequireReachableAsync(string buyer, string contractId, string paymentHash, CancellationToken cancellationToken)
    {
        string? endpoint;
        using (await contracts.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var contract = contracts.SoldTo(buyer, contractId);
            // Only the purchase's claim, awaited, of a contract with a forwarded port; everything else goes on as before.
            endpoint = contract is { AwaitsClaim: true, ForwardedEndpoint: { } forwarded } && contract.PaymentHash == paymentHash ? forwarded : null;
        }

        if (endpoint is null)
        {
            return;
        }

        var timeout = options.PortForward?.ConnectBackTimeout ?? TimeSpan.FromSeconds(5);
        var colon = endpoint.LastIndexOf(':');
        var host = endpoint[..colon].Trim('[', ']');
        var port = ForwardedPorts.PortOf(endpoint) ?? 0;
        if (await connectBack.CanConnectAsync(host, port, timeout, cancellationToken).ConfigureAwait(false))
        {
            log.Log(LogLevel.Verbose, $"Contract {contractId}: the connect-back to {endpoint} reached the buyer's node.");
            return;
        }

        log.Log(LogLevel.Info, $"Contract {contractId}: the connect-back to {endpoint} did not reach the buyer's node within {timeout.TotalSeconds:0.#} s; nothing settled.");
        throw new ProtocolException(ProtocolErrorCode.ForwardedPortUnreachable,
            $"The seller's connection to {endpoint} did not reach your node's Lightning port through the tunnel; nothing was settled. Make your node listen on its tunnel address and claim again before the claim deadline.");
    }
}
