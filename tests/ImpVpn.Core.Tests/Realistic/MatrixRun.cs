using System.Diagnostics;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.LndSim.Hosting;
using SimPaymentStatus = ImpVpn.Lnd.Rpc.Lnrpc.Payment.Types.PaymentStatus;

namespace ImpVpn.Core.Tests.Realistic;

/// <summary>
/// Runs one purchase or refresh on a lane with one fault armed, then settles it the way a user would: a run that ended
/// "unfinished" is run once more (as Confirm-VpnContract or Update-VpnContract would be), and a failure is followed until
/// its payment is final. What the buyer's node paid is read from the simulator's own ledger, not from ImpVpn.
/// </summary>
internal sealed class MatrixRun(MatrixNetwork network, MatrixLane lane, BuyerOptions options)
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Time for a seller that was given up on to cancel its hold invoice: its claim window and a round.</summary>
    private static readonly TimeSpan RefundWait = MatrixNetwork.SellerOptions.ClaimWindow + TimeSpan.FromSeconds(20);

    public static readonly TimeSpan Duration = TimeSpan.FromHours(1);

    public static readonly TimeSpan Extension = TimeSpan.FromMinutes(30);

    public async Task<(MatrixOutcome Outcome, BoughtContract? Contract)> PurchaseAsync(MatrixFault fault)
    {
        var before = Ledger();
        var clock = Stopwatch.StartNew();
        long price = 0;
        BoughtContract? contract = null;
        PurchaseException? error = null;
        var resumed = false;
        var armed = await MatrixFaults.ArmAsync(network, lane, fault);
        await using (armed)
        {
            try
            {
                var quote = await lane.Buyer.RequestQuoteAsync(network.SellerPubKey, Duration, options.ReplyTimeout, None);
                price = quote.PriceSat;
                contract = await lane.Buyer.ConfirmAsync(quote, options, None);
            }
            catch (PurchaseException e)
            {
                error = e;
            }
        }

        if (error is { Error: PurchaseError.PaymentUnfinished, ContractId: { } unfinished })
        {
            resumed = true;
            (contract, error) = await AgainAsync(() => lane.Buyer.ResumeAsync(unfinished, options, None));
        }

        var took = clock.Elapsed;
        var id = contract?.Id ?? error?.ContractId;
        var hash = id is null ? null : lane.Contracts.Find(id)?.PaymentHash;
        var refunded = error is null || await RefundedAsync(hash);
        var (succeeded, paid, fee) = Paid(before);
        return (new MatrixOutcome("purchase", lane.Hops, fault, error?.Error, error?.Message, resumed, price,
            FeeCap(price), succeeded, paid, fee, refunded, armed.Struck, took), error is null ? contract : null);
    }

    public async Task<MatrixOutcome> RefreshAsync(BoughtContract contract, MatrixFault fault)
    {
        var before = Ledger();
        var expiresBefore = lane.Contracts.Get(contract.Id).ExpiresAt;
        var price = contract.PriceSat * (long)Extension.TotalSeconds / contract.DurationSeconds;
        var clock = Stopwatch.StartNew();
        PurchaseException? error = null;
        var resumed = false;
        var armed = await MatrixFaults.ArmAsync(network, lane, fault);
        await using (armed)
        {
            (_, error) = await AgainAsync(() => lane.Buyer.RefreshAsync(contract.Id, Extension, options, None));
        }

        if (error is { Error: PurchaseError.PaymentUnfinished })
        {
            resumed = true;
            (_, error) = await AgainAsync(() => lane.Buyer.RefreshAsync(contract.Id, Extension, options, None));
        }

        var took = clock.Elapsed;
        var refunded = true;
        foreach (var hash in Started(before))
        {
            refunded &= error is null || await RefundedAsync(hash);
        }

        var expiresAfter = lane.Contracts.Get(contract.Id).ExpiresAt;
        var (succeeded, paid, fee) = Paid(before);
        var outcome = new MatrixOutcome("refresh", lane.Hops, fault, error?.Error, error?.Message, resumed, price,
            FeeCap(price), succeeded, paid, fee, refunded, armed.Struck, took);
        // The time bought is exactly what was paid for: 30 minutes more after a success, none after a failure.
        var expected = error is null ? expiresBefore + Extension : expiresBefore;
        return expiresAfter == expected ? outcome : outcome with { ErrorMessage = $"expiry {expiresBefore:O} → {expiresAfter:O}, expected {expected:O}" };
    }

    private long FeeCap(long priceSat) => options.FeeLimitFor(priceSat);

    private static async Task<(BoughtContract? Contract, PurchaseException? Error)> AgainAsync(Func<Task<BoughtContract>> run)
    {
        try
        {
            return (await run(), null);
        }
        catch (PurchaseException e)
        {
            return (null, e);
        }
    }

    /// <summary>Whether the buyer's payment for <paramref name="hashHex"/> is refunded (failed) or was never made;
    /// waits for it to be final, since a seller that was given up on cancels its hold invoice only after its claim
    /// window.</summary>
    private async Task<bool> RefundedAsync(string? hashHex)
    {
        if (string.IsNullOrEmpty(hashHex))
        {
            return true;
        }

        using var wait = new CancellationTokenSource(RefundWait);
        try
        {
            var payment = await lane.Node.TrackPaymentAsync(Convert.FromHexString(hashHex), waitForFinal: true, wait.Token);
            return payment is null or { Status: PaymentStatus.Failed };
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Dictionary<string, (SimPaymentStatus Status, long ValueMsat, long FeeMsat)> Ledger()
    {
        var sim = network.Simulation.Network;
        return sim.Read(() => sim.Node(lane.SimNode.Name).Payments.ToDictionary(p => p.Key, p => (p.Value.Status, p.Value.ValueMsat, p.Value.FeeMsat)));
    }

    /// <summary>Payments started (or started again) since <paramref name="before"/>.</summary>
    private List<string> Started(Dictionary<string, (SimPaymentStatus Status, long ValueMsat, long FeeMsat)> before) =>
        Ledger().Where(p => !before.TryGetValue(p.Key, out var was) || was != p.Value).Select(p => p.Key).ToList();

    /// <summary>What succeeded since <paramref name="before"/>: how many payments, their amount and their fees (sat).</summary>
    private (int Count, long PaidSat, long FeeSat) Paid(Dictionary<string, (SimPaymentStatus Status, long ValueMsat, long FeeMsat)> before)
    {
        var now = Ledger().Where(p => p.Value.Status == SimPaymentStatus.Succeeded
            && !(before.TryGetValue(p.Key, out var was) && was.Status == SimPaymentStatus.Succeeded)).Select(p => p.Value).ToList();
        return (now.Count, now.Sum(p => p.ValueMsat) / 1000, (now.Sum(p => p.FeeMsat) + 999) / 1000);
    }
}
