using ImpVpn.Core.Buying;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A purchase runs under the store's lock: at its slowest it must end before another run waiting for that
/// lock gives up (BoughtContracts.LockWait).</summary>
public sealed class StoreLockBudgetTests
{
    // PaymentOnce's payment timeout: how long the payment may take to start (WaitUntilHeld).
    private static readonly TimeSpan PaymentStart = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_purchase_at_its_slowest_ends_before_a_run_waiting_for_the_store_gives_up()
    {
        var options = new BuyerOptions();
        var slowest = options.ReplyTimeout // accept
            + options.ProbeTimeout
            + PaymentStart
            + options.ActivationWait + options.ReplyTimeout // the activate under way when the wait ends
            + options.HandshakeTimeout
            + options.ReplyTimeout; // claim

        Assert.True(slowest < BoughtContracts.LockWait, $"{slowest} is not under {BoughtContracts.LockWait}");
    }
}
