using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Buying;

/// <summary>
/// A port forward's claim: the seller settles only once its connect-back through the forwarded port reached this
/// node's Lightning port, and answers "forwarded port unreachable" (1014) until then (nothing settled, a "not
/// yet"). The claim is asked again, every few seconds, for up to <see cref="RetryFor"/>: inside the seller's claim
/// window (120 s by default), so a node that starts listening late still gets its port; after it the seller cancels
/// the invoice and the payment returns.
/// </summary>
internal static class ForwardedPortRetry
{
    /// <summary>How long the claim is asked again while the seller cannot reach this node.</summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(3);

    /// <param name="paying">the payment, when this run made it: once it has ended (the seller cancelled at its claim
    /// deadline) there is nothing left to claim, and the last answer stands.</param>
    public static async Task<ClaimResponse> CallAsync(SellerLink link, SellerNode seller, ClaimRequest claim, Task<Lightning.PaymentResult>? paying, TimeSpan wait, IProgressLog log, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + RetryFor;
        while (true)
        {
            try
            {
                return await link.CallAsync<ClaimResponse>(seller, PeerProtocol.Claim, claim, wait, cancellationToken).ConfigureAwait(false);
            }
            catch (PurchaseException e) when (e.InnerException is ProtocolException { Code: ProtocolErrorCode.ForwardedPortUnreachable } && DateTime.UtcNow + Pause < deadline && paying is not { IsCompleted: true })
            {
                log.Log(LogLevel.Warning, $"Contract {claim.ContractId}: {e.Message} Claiming again in {Pause.TotalSeconds:0} s.");
                // Woken early when the payment ends meanwhile.
                var pause = Task.Delay(Pause, cancellationToken);
                await (paying is null ? pause : Task.WhenAny(pause, paying)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }
}
